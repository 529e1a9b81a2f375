using Databacker.Api.Client.Reporting;
using Databacker.Api.Contracts;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Databacker.Api.Client.Tests.Reporting;

public class SecretRedactorTests
{
    internal const string Configuration = """
    { "version": "config.databack.io/v1", "kind": "local", "metadata": { "name": "n" },
      "spec": {
        "database": { "server": "db", "credentials": { "username": "backup", "password": "db-Pa55word" } },
        "dump": { "encryption": { "algorithm": "aes256-gcm", "key": "enc-K3y-material" } },
        "telemetry": { "url": "https://c.example.com", "credentials": "telemetry-t0ken" },
        "targets": {
          "s3": { "type": "s3", "url": "s3://bucket", "spec": { "accessKeyID": "AKIAEXAMPLE", "secretAccessKey": "s3-s3cret-key" } },
          "smb": { "type": "smb", "url": "smb://user:smb-url-pass@server/share", "spec": { "username": "u", "password": "smb-Passw0rd" } }
        } } }
    """;

    internal static SecretRedactor FromTestConfiguration(params string[] extra)
        => SecretRedactor.FromConfiguration(JsonConvert.DeserializeObject<ConfigDocument>(Configuration), extra);

    [TestCase("db-Pa55word")]
    [TestCase("enc-K3y-material")]
    [TestCase("telemetry-t0ken")]
    [TestCase("s3-s3cret-key")]
    [TestCase("smb-Passw0rd")]
    [TestCase("smb-url-pass")]
    [TestCase("user-added-secret")]
    public void Every_secret_kind_is_masked_in_messages(string secret)
    {
        var redactor = FromTestConfiguration("user-added-secret");

        var redacted = redactor.Redact($"connecting with {secret} now");

        Assert.That(redacted, Does.Not.Contain(secret));
        Assert.That(redacted, Is.EqualTo($"connecting with {SecretRedactor.Mask} now"));
    }

    [Test]
    public void Secrets_in_nested_fields_and_secret_named_keys_are_masked()
    {
        var redactor = FromTestConfiguration();
        var fields = new Dictionary<string, object>
        {
            ["plain"] = "nothing to hide",
            ["nested"] = JObject.Parse("""{ "inner": ["ok", "uses s3-s3cret-key"], "password": "unknown-value" }"""),
            ["token"] = "some-token-not-in-config",
            ["count"] = 3,
        };

        var redacted = redactor.Redact(fields)!;
        var json = JsonConvert.SerializeObject(redacted);

        Assert.That(json, Does.Not.Contain("s3-s3cret-key"));
        Assert.That(json, Does.Not.Contain("unknown-value"));
        Assert.That(json, Does.Not.Contain("some-token-not-in-config"));
        Assert.That(json, Does.Contain("nothing to hide"));
        Assert.That(redacted["count"], Is.EqualTo(3));
        Assert.That(((JObject)fields["nested"])["password"]!.Value<string>(), Is.EqualTo("unknown-value"), "the caller's object must not be changed");
    }

    [Test]
    public void Secrets_in_any_value_the_serializer_writes_are_masked_typed_maps_pairs_uris_and_objects_alike()
    {
        var redactor = FromTestConfiguration();
        var fields = new Dictionary<string, object>
        {
            ["env"] = new Dictionary<string, string> { ["PGPASSWORD"] = "db-Pa55word", ["password"] = "unknown-value", ["HOME"] = "/root" },
            ["table"] = new System.Collections.Hashtable { ["k"] = "uses s3-s3cret-key" },
            ["pair"] = new KeyValuePair<string, string>("key", "enc-K3y-material"),
            ["pairs"] = new List<KeyValuePair<string, string>> { new("a", "telemetry-t0ken") },
            ["endpoint"] = new Uri("https://admin:hunter2@storage.example.com/b?token=t0k"),
            ["error"] = new InvalidOperationException("dump failed for smb-Passw0rd"),
            ["when"] = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero),
            ["size"] = 42L,
        };

        var redacted = redactor.Redact(fields)!;
        var json = JsonConvert.SerializeObject(redacted);

        Assert.Multiple(() =>
        {
            foreach (var secret in new[] { "db-Pa55word", "unknown-value", "s3-s3cret-key", "enc-K3y-material", "telemetry-t0ken", "hunter2", "t0k", "smb-Passw0rd" })
            {
                Assert.That(json, Does.Not.Contain(secret));
            }

            Assert.That(json, Does.Contain("/root").And.Contain("PGPASSWORD").And.Contain("dump failed for"));
            Assert.That(redacted["when"], Is.EqualTo(fields["when"]), "plain values are kept as they are");
            Assert.That(redacted["size"], Is.EqualTo(42L));
        });
    }

    [Test]
    public void An_object_the_serializer_cannot_write_is_masked_whole()
    {
        var loop = new Node();
        loop.Next = loop;

        var redacted = SecretRedactor.UrlsOnly.Redact(new Dictionary<string, object> { ["loop"] = loop })!;

        Assert.That(redacted["loop"], Is.EqualTo(SecretRedactor.Mask));
    }

    private sealed class Node
    {
        public Node? Next { get; set; }
    }

    [TestCase("uploading to https://admin:hunter2@storage.example.com/bucket", "uploading to https://[REDACTED]@storage.example.com/bucket")]
    [TestCase("GET https://s.example.com/o?X-Amz-Signature=abcdef&part=1", "GET https://s.example.com/o?X-Amz-Signature=[REDACTED]&part=1")]
    [TestCase("url smb://u:p@host/share and more", "url smb://[REDACTED]@host/share and more")]
    [TestCase("s3://bucket/key&token=t0k and done", "s3://bucket/key&token=[REDACTED] and done")]
    [TestCase("mail ops@example.com about https://u:p@h/x?sig=1", "mail ops@example.com about https://[REDACTED]@h/x?sig=[REDACTED]")]
    [TestCase("upload s3://backups/db/orders-1.sql.gz: part 3", "upload s3://backups/db/orders-1.sql.gz: part 3")]
    [TestCase("what? nothing://here", "what? nothing://here")]
    public void Urls_lose_user_info_and_secret_query_values(string text, string expected)
    {
        Assert.That(SecretRedactor.UrlsOnly.Redact(text), Is.EqualTo(expected));
    }

    [TestCase("k", "a k b", "a [REDACTED] b")]
    [TestCase("k", "kkk", "[REDACTED][REDACTED][REDACTED]")]
    [TestCase("?", "what? now", "what[REDACTED] now")]
    [TestCase("://", "x://y", "x[REDACTED]y")]
    [TestCase("pw1", "https://u:pw1@h/p?token=pw1&a=1", "https://[REDACTED]@h/p?token=[REDACTED]&a=1")]
    [TestCase("pw1", "https://u:other@h/p?token=abc", "https://[REDACTED]@h/p?token=[REDACTED]")]
    [TestCase("pw1", "no marker, no secret: pw-1 p w1", "no marker, no secret: pw-1 p w1")]
    [TestCase("pw1", "only an ampersand & token=abc", "only an ampersand & token=abc")]
    [TestCase("pw1", "ends with the secret pw1", "ends with the secret [REDACTED]")]
    [TestCase("pw1", "pw1 starts it, then a query ?key=v", "[REDACTED] starts it, then a query ?key=[REDACTED]")]
    public void Secrets_and_url_markers_are_found_wherever_they_are(string secret, string text, string expected)
    {
        // Secrets and URL markers are looked for in separate passes: short secrets, secrets that are markers,
        // secrets next to or inside URLs, and texts with only one of them all come out as if checked one by one.
        var redactor = new SecretRedactor([secret]);

        Assert.That(redactor.Redact(text), Is.EqualTo(expected));
    }

    [Test]
    public void Longer_secret_containing_a_shorter_one_is_masked_whole()
    {
        var redactor = new SecretRedactor(["abc", "abcdef-long"]);

        Assert.That(redactor.Redact("x abcdef-long y"), Is.EqualTo("x [REDACTED] y"));
    }

    [Test]
    public void A_field_map_that_contains_itself_is_cut_off_instead_of_followed_forever()
    {
        var hostile = new Dictionary<string, object> { ["password"] = "db-Pa55word", ["note"] = "uses db-Pa55word" };
        hostile["self"] = hostile;
        hostile["list"] = new List<object> { hostile };

        var redacted = FromTestConfiguration().Redact(hostile)!;

        Assert.That(redacted["note"], Is.EqualTo($"uses {SecretRedactor.Mask}"));
        var depth = 0;
        object? level = redacted;
        while (level is IDictionary<string, object> map)
        {
            Assert.That(JsonConvert.SerializeObject(map["note"]), Does.Not.Contain("db-Pa55word"));
            level = map["self"];
            depth++;
        }

        Assert.That(level, Is.EqualTo(SecretRedactor.TooDeep));
        Assert.That(depth, Is.InRange(2, 64));
        Assert.That(JsonConvert.SerializeObject(redacted), Does.Not.Contain("db-Pa55word"));
    }
}
