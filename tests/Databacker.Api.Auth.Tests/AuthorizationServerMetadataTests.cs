using System.Text.Json.Nodes;
using Databacker.Api.Auth.Issuance;

namespace Databacker.Api.Auth.Tests;

[TestFixture]
public sealed class AuthorizationServerMetadataTests
{
    [Test]
    public void Metadata_lists_client_credentials_private_key_jwt_and_es_algorithms()
    {
        var metadata = new AuthorizationServerMetadata(
            new Uri("https://controller.example.com"),
            new Uri("https://controller.example.com/oauth2/token"),
            new Uri("https://controller.example.com/.well-known/jwks.json"),
            ["orchestration", "reporting"]);

        var json = JsonNode.Parse(metadata.ToJson())!;

        Assert.Multiple(() =>
        {
            Assert.That(json["issuer"]!.GetValue<string>(), Is.EqualTo("https://controller.example.com"));
            Assert.That(json["token_endpoint"]!.GetValue<string>(), Is.EqualTo("https://controller.example.com/oauth2/token"));
            Assert.That(json["jwks_uri"]!.GetValue<string>(), Is.EqualTo("https://controller.example.com/.well-known/jwks.json"));
            Assert.That(json["grant_types_supported"]!.AsArray().Select(n => n!.GetValue<string>()), Is.EqualTo(new[] { "client_credentials" }));
            Assert.That(json["token_endpoint_auth_methods_supported"]!.AsArray().Select(n => n!.GetValue<string>()), Is.EqualTo(new[] { "private_key_jwt" }));
            Assert.That(json["token_endpoint_auth_signing_alg_values_supported"]!.AsArray().Select(n => n!.GetValue<string>()), Is.EqualTo(new[] { "ES256", "ES384", "ES512" }));
            Assert.That(json["scopes_supported"]!.AsArray(), Has.Count.EqualTo(2));
        });
    }

    [TestCase("http://controller.example.com")]
    [TestCase("https://controller.example.com/?tenant=1")]
    [TestCase("https://controller.example.com/#frag")]
    public void Issuer_must_be_https_without_query_or_fragment(string issuer)
    {
        Assert.Throws<ArgumentException>(() => _ = new AuthorizationServerMetadata(
            new Uri(issuer), new Uri("https://controller.example.com/oauth2/token"), new Uri("https://controller.example.com/jwks")));
    }

    [Test]
    public void Loopback_http_is_allowed_for_development()
    {
        var metadata = new AuthorizationServerMetadata(new Uri("http://127.0.0.1:5000"), new Uri("http://127.0.0.1:5000/oauth2/token"), new Uri("http://127.0.0.1:5000/jwks"));

        Assert.That(metadata.Issuer, Is.EqualTo("http://127.0.0.1:5000"));
    }
}
