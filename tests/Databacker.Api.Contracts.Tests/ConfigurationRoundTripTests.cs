using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Databacker.Api.Contracts.Tests;

public class ConfigurationRoundTripTests
{
    // Every field the databacker engine reads, plus members and an enum value this contract does not know.
    private const string LocalDocument = """
    {
      "version": "config.databack.io/v1",
      "kind": "local",
      "metadata": { "name": "prod-db", "description": "production", "digest": "sha256:abc", "labels": { "team": "ops" } },
      "spec": {
        "logging": "debug",
        "database": { "server": "db.internal", "port": 3306, "credentials": { "username": "backup", "password": "s3cret" } },
        "dump": {
          "include": ["app", "billing"],
          "exclude": ["tmp"],
          "safechars": true,
          "noDatabaseName": false,
          "skipExtendedInsert": true,
          "schedule": { "cron": "0 3 * * *", "frequency": 1440, "begin": 15, "once": false },
          "compression": "gzip",
          "compact": true,
          "triggers": true,
          "routines": false,
          "maxAllowedPacket": 4194304,
          "filenamePattern": "db_backup_{{ .now }}.{{ .compression }}",
          "encryption": { "algorithm": "aes256-gcm", "key": "k3y", "keyPath": "/etc/key" },
          "targets": ["s3", "share", "local", "future"],
          "parallelism": 2,
          "scripts": { "preBackup": "/scripts/pre", "postBackup": "/scripts/post" },
          "newDumpOption": { "nested": [1, 2, 3] }
        },
        "restore": { "preRestore": "/scripts/pre-restore", "postRestore": "/scripts/post-restore" },
        "prune": { "retention": "7d" },
        "telemetry": { "url": "https://controller.example.com", "certificates": ["-----BEGIN CERTIFICATE-----"], "credentials": "token", "bufferSize": 65536 },
        "targets": {
          "s3": { "type": "s3", "url": "s3://bucket/path", "spec": { "region": "eu-west-1", "endpoint": "https://s3.example.com", "pathStyle": true, "accessKeyID": "AKIA", "secretAccessKey": "secret" } },
          "share": { "type": "smb", "url": "smb://server/share", "spec": { "domain": "CORP", "username": "u", "password": "p" } },
          "local": { "type": "file", "url": "file:///backups" },
          "future": { "type": "gcs", "url": "gs://bucket", "spec": { "project": "p1" } }
        },
        "unknownTopLevelSpecField": true
      },
      "unknownTopLevelField": { "a": "b" }
    }
    """;

    private const string RemoteDocument = """
    { "version": "config.databack.io/v1", "kind": "remote", "metadata": { "name": "r" },
      "spec": { "url": "https://controller.example.com", "certificates": ["abc"], "credentials": "cred", "extra": 1 } }
    """;

    private const string EncryptedDocument = """
    { "version": "config.databack.io/v1", "kind": "encrypted", "metadata": { "name": "e" },
      "spec": { "algorithm": "chacha20-poly1305", "recipientPublicKey": "rpk", "senderPublicKey": "spk", "data": "ZGF0YQ==" } }
    """;

    [TestCase(LocalDocument, typeof(LocalConfig))]
    [TestCase(RemoteDocument, typeof(RemoteConfig))]
    [TestCase(EncryptedDocument, typeof(EncryptedConfig))]
    public void Configuration_document_round_trips_without_loss(string json, Type expectedType)
    {
        var document = JsonConvert.DeserializeObject<ConfigDocument>(json);

        Assert.That(document, Is.InstanceOf(expectedType));
        var written = JToken.Parse(JsonConvert.SerializeObject(document));
        var original = JToken.Parse(json);
        Assert.That(JToken.DeepEquals(original, written), Is.True, $"lost or changed on the way:\n{written}");
    }

    // The wire format of the discriminator, pinned byte for byte: it is written first, then the subtype's members in
    // declaration order, and each subtype writes its own discriminator value, also when serialized as the base type.
    [TestCase(typeof(LocalConfig), "local")]
    [TestCase(typeof(RemoteConfig), "remote")]
    [TestCase(typeof(EncryptedConfig), "encrypted")]
    public void The_discriminator_is_written_first_with_the_subtype_s_value(Type type, string kind)
    {
        var document = (ConfigDocument)Activator.CreateInstance(type)!;
        document.Version = "config.databack.io/v1";
        document.Metadata = new ConfigMetadata { Name = "n" };

        var asBase = JsonConvert.SerializeObject(document, typeof(ConfigDocument), new JsonSerializerSettings());
        var asSubtype = JsonConvert.SerializeObject(document);

        Assert.Multiple(() =>
        {
            Assert.That(asSubtype, Does.StartWith("{\"kind\":\"" + kind + "\","));
            Assert.That(asBase, Is.EqualTo(asSubtype));
            Assert.That(JsonConvert.DeserializeObject<ConfigDocument>(asSubtype), Is.InstanceOf(type));
        });
    }

    [Test]
    public void Local_configuration_written_as_before_byte_for_byte()
    {
        var document = new LocalConfig
        {
            Version = "config.databack.io/v1",
            Metadata = new ConfigMetadata { Name = "orders-db", Description = "d" },
            Spec = new LocalConfigSpec { Logging = "info" },
        };

        Assert.That(JsonConvert.SerializeObject(document),
            Is.EqualTo("{\"kind\":\"local\",\"spec\":{\"logging\":\"info\"},\"version\":\"config.databack.io/v1\",\"metadata\":{\"name\":\"orders-db\",\"description\":\"d\"}}"));
    }

    [Test]
    public void Local_configuration_fields_are_typed()
    {
        var document = (LocalConfig)JsonConvert.DeserializeObject<ConfigDocument>(LocalDocument)!;

        Assert.Multiple(() =>
        {
            Assert.That(document.Version, Is.EqualTo("config.databack.io/v1"));
            Assert.That(document.Metadata!.Name, Is.EqualTo("prod-db"));
            Assert.That(document.Spec!.Database!.Credentials!.Password, Is.EqualTo("s3cret"));
            Assert.That(document.Spec.Dump!.Schedule!.Cron, Is.EqualTo("0 3 * * *"));
            Assert.That(document.Spec.Dump.Targets, Is.EqualTo(new[] { "s3", "share", "local", "future" }));
            Assert.That(document.Spec.Targets!["s3"].Type, Is.EqualTo(TargetType.S3));
            Assert.That(document.Spec.Targets["s3"].Type.IsKnown, Is.True);
            Assert.That(document.Spec.Dump.AdditionalProperties.ContainsKey("newDumpOption"), Is.True);
        });
    }

    [Test]
    public void Unknown_enum_value_is_kept_and_reported_as_unknown()
    {
        var document = (LocalConfig)JsonConvert.DeserializeObject<ConfigDocument>(LocalDocument)!;
        var future = document.Spec!.Targets!["future"].Type;

        Assert.That(future.Value, Is.EqualTo("gcs"));
        Assert.That(future.IsKnown, Is.False);
        Assert.That(TargetType.Known, Is.EqualTo(new[] { "s3", "smb", "file" }));
        Assert.That(TargetType.Known, Is.Not.InstanceOf<string[]>(), "callers must not be able to cast and change what is known");
        Assert.That(future, Is.Not.EqualTo(TargetType.S3));
    }

    [Test]
    public void Enum_that_is_not_a_string_is_a_clear_serialization_error()
    {
        const string json = """{ "version": "config.databack.io/v1", "kind": "local", "spec": { "targets": { "x": { "type": 42, "url": "file:///" } } } }""";

        var error = Assert.Throws<JsonSerializationException>(() => JsonConvert.DeserializeObject<ConfigDocument>(json));
        Assert.That(error!.Message, Does.Contain("Expected a string"));
    }

    [Test]
    public void Extensible_enum_converts_from_query_string_text_including_unknown_values()
    {
        var converter = System.ComponentModel.TypeDescriptor.GetConverter(typeof(RunStatus));

        Assert.That(converter.CanConvertFrom(typeof(string)), Is.True);
        Assert.That(converter.ConvertFromInvariantString("succeeded"), Is.EqualTo(RunStatus.Succeeded));
        var unknown = (RunStatus)converter.ConvertFromInvariantString("paused")!;
        Assert.That(unknown.Value, Is.EqualTo("paused"));
        Assert.That(unknown.IsKnown, Is.False);
        Assert.That(converter.ConvertToInvariantString(unknown), Is.EqualTo("paused"));
    }

    [Test]
    public void Under_the_contract_settings_date_like_strings_among_unknown_members_round_trip_exactly()
    {
        const string document = """{"kind":"local","version":"config.databack.io/v1","metadata":{"name":"r","until":"2025-06-01T12:00:00+02:00"},"spec":{"threshold":1e30,"count":12345678901234567890}}""";
        var settings = Serialization.ContractJsonSettings.Create();

        var read = JsonConvert.DeserializeObject<ConfigDocument>(document, settings);
        var written = JsonConvert.SerializeObject(read, settings);

        Assert.That(written, Does.Contain("\"until\":\"2025-06-01T12:00:00+02:00\"").And.Contain("\"threshold\":1E+30").And.Contain("\"count\":12345678901234567890"));
    }

    [TestCase("2025-01-01T00:00:00Z", "2025-01-01T00:00:00+00:00")]
    [TestCase("2025-01-01t00:00:00z", "2025-01-01T00:00:00+00:00")]
    [TestCase("2025-06-01T12:00:00.123456789+02:00", "2025-06-01T12:00:00.1234567+02:00")]
    [TestCase("2025-06-01T12:00:00-05:30", "2025-06-01T12:00:00-05:30")]
    public void An_RFC_3339_date_time_is_read_with_its_offset(string text, string expected)
    {
        Assert.That(Serialization.Rfc3339DateTimeOffsetConverter.TryParse(text, out var value), Is.True);
        Assert.That(value, Is.EqualTo(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.That(value.Offset, Is.EqualTo(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture).Offset));
    }

    [TestCase("2025-01-01T00:00:00")]
    [TestCase("2025-01-01")]
    [TestCase("2025-01-01T00:00:00+15:00")]
    [TestCase("01/01/2025 00:00:00 +00:00")]
    [TestCase("2025-01-01 00:00:00Z")]
    [TestCase("2025-01-01T00:00:00Z\n")]
    [TestCase("")]
    public void Anything_else_is_not_a_date_time(string text)
    {
        Assert.That(Serialization.Rfc3339DateTimeOffsetConverter.TryParse(text, out _), Is.False);
        Assert.Throws<JsonSerializationException>(() => JsonConvert.DeserializeObject<Event>(
            $$"""{"id":"0b6c3f58-6b1c-4a5e-9e5e-1f2d3c4b5a69","run":"5b0c8f1e-2f7d-4a51-9d0e-0a2b4c6d8e10","type":"run-started","timestamp":"{{text}}"}""",
            Serialization.ContractJsonSettings.Create()));
    }

    [Test]
    public void A_configuration_of_a_kind_this_version_does_not_know_is_read_and_written_back_with_its_kind()
    {
        // A newer controller's kind must not make an older client fail: it reads as the base type and round-trips.
        const string document = """{"kind":"kms","version":"config.databack.io/v1","metadata":{"name":"r"},"spec":{"keyId":"k1"}}""";

        var read = JsonConvert.DeserializeObject<ConfigDocument>(document)!;
        var written = JsonConvert.SerializeObject(read);

        Assert.Multiple(() =>
        {
            Assert.That(read.GetType(), Is.EqualTo(typeof(ConfigDocument)));
            Assert.That(JToken.DeepEquals(JToken.Parse(written), JToken.Parse(document)), Is.True, written);
            Assert.That(written, Does.StartWith("{\"kind\":\"kms\""), "the kind first, as ever");
            Assert.That(written, Does.Not.Contain("ConfigDocument"));
        });
    }

    [Test]
    public void A_configuration_without_a_kind_is_read_and_written_without_inventing_one()
    {
        const string document = """{"version":"config.databack.io/v1","metadata":{"name":"r"}}""";

        var written = JsonConvert.SerializeObject(JsonConvert.DeserializeObject<ConfigDocument>(document));

        Assert.That(written, Does.Not.Contain("kind"));
    }
}
