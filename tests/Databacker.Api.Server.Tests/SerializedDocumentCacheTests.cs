using System.Net;
using Databacker.Api.Contracts;
using Databacker.Api.Server.Caching;
using Microsoft.Extensions.DependencyInjection;
using Newtonsoft.Json.Linq;

namespace Databacker.Api.Server.Tests;

/// <summary>
/// OkWithEntityTag(document, entityTag) writes the bytes MVC wrote for the same document object, ETag and media type
/// again; these tests pin that a remembered response is exactly what MVC writes, and that it is never served for
/// another document, another ETag or another representation.
/// </summary>
public sealed class SerializedDocumentCacheTests
{
    private const string V1 = "application/vnd.databack.device-config.v1+json";
    private const string V2 = "application/vnd.databack.device-config.v2+json";
    private const string PathA = "/engines/config/" + TestServerHost.InstanceA;
    private const string PathB = "/engines/config/" + TestServerHost.InstanceB;

    private static async Task<(TestServerHost Host, StoredConfigs Store)> StartAsync()
    {
        var store = new StoredConfigs();
        var host = await TestServerHost.StartAsync(
            o => o.Versions.Add(V2, document => new JObject { ["v2"] = true, ["document"] = JObject.FromObject(document) }),
            services => services.AddSingleton(store));
        return (host, store);
    }

    private static async Task<(HttpStatusCode Status, string? ContentType, long? Length, string? ETag, byte[] Body)> GetAsync(
        TestServerHost host, string path, string instance, string accept = V1)
    {
        using var response = await host.Client.SendAsync(host.Request(HttpMethod.Get, path, host.AgentToken(instance, "orchestration"), accept));
        return (response.StatusCode, response.Content.Headers.ContentType?.ToString(), response.Content.Headers.ContentLength,
            response.Headers.ETag?.Tag, await response.Content.ReadAsByteArrayAsync());
    }

    [Test]
    public async Task Each_version_of_a_document_has_its_own_strong_ETag_and_a_304_only_for_its_own()
    {
        var (host, store) = await StartAsync();
        await using var _ = host;
        var document = TestOrchestrationController.Document(TestServerHost.InstanceA);
        store.Put(TestServerHost.InstanceA, document, CanonicalEntityTag.Compute(document));

        async Task<(HttpStatusCode Status, string? ETag)> Conditional(string accept, string? ifNoneMatch)
        {
            var request = host.Request(HttpMethod.Get, PathA, host.AgentToken(TestServerHost.InstanceA, "orchestration"), accept);
            if (ifNoneMatch is not null)
            {
                request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
            }

            using var response = await host.Client.SendAsync(request);
            return (response.StatusCode, response.Headers.ETag?.Tag);
        }

        var v1 = await Conditional(V1, null);
        var v2 = await Conditional(V2, null);
        var v2WithV1Tag = await Conditional(V2, v1.ETag);
        var v1WithV2Tag = await Conditional(V1, v2.ETag);
        var v2WithItsTag = await Conditional(V2, v2.ETag);
        var v1WithItsTag = await Conditional(V1, v1.ETag);

        Assert.Multiple(() =>
        {
            Assert.That(v1.ETag, Is.EqualTo(CanonicalEntityTag.Compute(document)), "the document's own version keeps the document's tag");
            Assert.That(v2.ETag, Is.Not.EqualTo(v1.ETag));
            Assert.That(v2.ETag, Does.StartWith("\"").And.EndWith("+v2\""));
            Assert.That(v2WithV1Tag.Status, Is.EqualTo(HttpStatusCode.OK), "a v1 copy is not a current v2");
            Assert.That(v1WithV2Tag.Status, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(v2WithItsTag.Status, Is.EqualTo(HttpStatusCode.NotModified));
            Assert.That(v1WithItsTag.Status, Is.EqualTo(HttpStatusCode.NotModified));
        });
    }

    [Test]
    public async Task A_client_asking_for_another_charset_does_not_change_what_later_clients_get()
    {
        var (host, store) = await StartAsync();
        await using var _ = host;
        var document = TestOrchestrationController.Document(TestServerHost.InstanceA);
        store.Put(TestServerHost.InstanceA, document, CanonicalEntityTag.Compute(document));

        var utf16 = host.Request(HttpMethod.Get, PathA, host.AgentToken(TestServerHost.InstanceA, "orchestration"), V1);
        utf16.Headers.AcceptCharset.ParseAdd("utf-16");
        using (var first = await host.Client.SendAsync(utf16))
        {
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        var later = await GetAsync(host, PathA, TestServerHost.InstanceA);
        var again = await GetAsync(host, PathA, TestServerHost.InstanceA);

        Assert.Multiple(() =>
        {
            foreach (var response in new[] { later, again })
            {
                Assert.That(response.ContentType, Does.Not.Contain("utf-16"));
                Assert.That(response.Body[0], Is.EqualTo((byte)'{'), "UTF-8 JSON, not the UTF-16 bytes written for the first client");
            }
        });
    }

    [Test]
    public async Task A_remembered_200_is_byte_for_byte_what_MVC_writes_with_the_same_headers()
    {
        var (host, store) = await StartAsync();
        await using var _ = host;

        // Without a stored document the controller computes the ETag and MVC serializes a fresh object every time.
        var fresh = await GetAsync(host, PathA, TestServerHost.InstanceA);
        var document = TestOrchestrationController.Document(TestServerHost.InstanceA);
        store.Put(TestServerHost.InstanceA, document, CanonicalEntityTag.Compute(document));
        var first = await GetAsync(host, PathA, TestServerHost.InstanceA);
        var second = await GetAsync(host, PathA, TestServerHost.InstanceA);
        var third = await GetAsync(host, PathA, TestServerHost.InstanceA);

        Assert.Multiple(() =>
        {
            foreach (var response in new[] { first, second, third })
            {
                Assert.That(response.Status, Is.EqualTo(HttpStatusCode.OK));
                Assert.That(response.Body, Is.EqualTo(fresh.Body));
                Assert.That(response.ContentType, Is.EqualTo(fresh.ContentType));
                Assert.That(response.ContentType, Does.StartWith(V1));
                Assert.That(response.Length, Is.EqualTo(fresh.Body.Length));
                Assert.That(response.ETag, Is.EqualTo(fresh.ETag));
            }
        });
    }

    [Test]
    public async Task A_changed_document_is_served_at_once_whether_it_is_a_new_object_or_the_same_object_with_a_new_ETag()
    {
        var (host, store) = await StartAsync();
        await using var _ = host;
        var document = TestOrchestrationController.Document(TestServerHost.InstanceA);
        store.Put(TestServerHost.InstanceA, document, CanonicalEntityTag.Compute(document));
        await GetAsync(host, PathA, TestServerHost.InstanceA);
        await GetAsync(host, PathA, TestServerHost.InstanceA);

        var replaced = TestOrchestrationController.Document(TestServerHost.InstanceA);
        replaced.Metadata.Description = "replaced";
        var replacedTag = CanonicalEntityTag.Compute(replaced);
        store.Put(TestServerHost.InstanceA, replaced, replacedTag);
        var afterReplace = await GetAsync(host, PathA, TestServerHost.InstanceA);

        replaced.Metadata.Description = "edited in place";
        store.Put(TestServerHost.InstanceA, replaced, CanonicalEntityTag.Compute(replaced));
        var afterEdit = await GetAsync(host, PathA, TestServerHost.InstanceA);

        Assert.Multiple(() =>
        {
            Assert.That(JObject.Parse(System.Text.Encoding.UTF8.GetString(afterReplace.Body))["metadata"]!["description"]!.Value<string>(), Is.EqualTo("replaced"));
            Assert.That(afterReplace.ETag, Is.EqualTo(replacedTag));
            Assert.That(JObject.Parse(System.Text.Encoding.UTF8.GetString(afterEdit.Body))["metadata"]!["description"]!.Value<string>(), Is.EqualTo("edited in place"));
            Assert.That(afterEdit.ETag, Is.EqualTo(CanonicalEntityTag.Compute(replaced)));
        });
    }

    [Test]
    public async Task Documents_never_share_bytes_even_when_an_implementer_gives_them_the_same_ETag()
    {
        var (host, store) = await StartAsync();
        await using var _ = host;
        store.Put(TestServerHost.InstanceA, TestOrchestrationController.Document(TestServerHost.InstanceA), "\"1\"");
        store.Put(TestServerHost.InstanceB, TestOrchestrationController.Document(TestServerHost.InstanceB), "\"1\"");
        await GetAsync(host, PathA, TestServerHost.InstanceA);
        var a = await GetAsync(host, PathA, TestServerHost.InstanceA);
        var b = await GetAsync(host, PathB, TestServerHost.InstanceB);

        Assert.Multiple(() =>
        {
            Assert.That(JObject.Parse(System.Text.Encoding.UTF8.GetString(a.Body))["metadata"]!["name"]!.Value<string>(), Is.EqualTo(TestServerHost.InstanceA));
            Assert.That(JObject.Parse(System.Text.Encoding.UTF8.GetString(b.Body))["metadata"]!["name"]!.Value<string>(), Is.EqualTo(TestServerHost.InstanceB));
        });
    }

    [Test]
    public async Task Each_negotiated_representation_keeps_its_own_bytes_and_content_type()
    {
        var (host, store) = await StartAsync();
        await using var _ = host;
        var document = TestOrchestrationController.Document(TestServerHost.InstanceA);
        store.Put(TestServerHost.InstanceA, document, CanonicalEntityTag.Compute(document));

        var v1 = await GetAsync(host, PathA, TestServerHost.InstanceA, V1);
        var v2 = await GetAsync(host, PathA, TestServerHost.InstanceA, V2);
        var v1Again = await GetAsync(host, PathA, TestServerHost.InstanceA, V1);
        var v2Again = await GetAsync(host, PathA, TestServerHost.InstanceA, V2);

        Assert.Multiple(() =>
        {
            Assert.That(v1Again.ContentType, Does.StartWith(V1));
            Assert.That(v1Again.Body, Is.EqualTo(v1.Body));
            Assert.That(v2Again.ContentType, Does.StartWith(V2));
            Assert.That(v2Again.Body, Is.EqualTo(v2.Body));
            Assert.That(JObject.Parse(System.Text.Encoding.UTF8.GetString(v2Again.Body))["v2"]!.Value<bool>(), Is.True);
            Assert.That(JObject.Parse(System.Text.Encoding.UTF8.GetString(v1Again.Body))["v2"], Is.Null);
        });
    }
}
