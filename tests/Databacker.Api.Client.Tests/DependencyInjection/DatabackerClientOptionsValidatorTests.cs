using Databacker.Api.Auth.Keys;
using Databacker.Api.Client.DependencyInjection;

namespace Databacker.Api.Client.Tests.DependencyInjection;

[TestFixture]
public sealed class DatabackerClientOptionsValidatorTests
{
    private static readonly EcdsaKey Key = EcdsaKey.Generate();

    private static DatabackerClientOptions Valid() => new()
    {
        Controller = new Uri("https://controller.example.com/"),
        InstanceId = "i-1",
        Key = Key,
    };

    private static IReadOnlyList<string> FailuresOf(DatabackerClientOptions options)
    {
        new DatabackerClientOptionsPostConfigure().PostConfigure(null, options);
        var result = new DatabackerClientOptionsValidator().Validate(null, options);
        return result.Failed ? result.Failures!.ToList() : [];
    }

    [OneTimeTearDown]
    public void DisposeKey() => Key.Dispose();

    [Test]
    public void Complete_https_options_are_valid()
    {
        Assert.That(FailuresOf(Valid()), Is.Empty);
    }

    [TestCase("http://127.0.0.1:8080/")]
    [TestCase("http://localhost/")]
    [TestCase("http://[::1]:9000/base/")]
    public void Plain_http_to_a_loopback_controller_is_valid(string url)
    {
        var options = Valid();
        options.Controller = new Uri(url);

        Assert.That(FailuresOf(options), Is.Empty);
    }

    [Test]
    public void A_missing_controller_is_reported_with_what_to_set()
    {
        var options = Valid();
        options.Controller = null;

        Assert.That(FailuresOf(options), Is.EqualTo(new[]
        {
            "Controller is required: set it to the orchestration URL of your databacker controller, e.g. https://controller.example.com/.",
        }));
    }

    [Test]
    public void A_relative_controller_url_is_reported()
    {
        var options = Valid();
        options.Controller = new Uri("controller/", UriKind.Relative);

        Assert.That(FailuresOf(options), Has.Some.StartsWith("Controller must be an absolute URL"));
    }

    [TestCase("http://controller.example.com/")]
    [TestCase("http://10.0.0.5/")]
    [TestCase("ftp://127.0.0.1/")]
    public void A_controller_that_is_neither_https_nor_loopback_http_is_reported(string url)
    {
        var options = Valid();
        options.Controller = new Uri(url);

        Assert.That(FailuresOf(options), Has.Some.StartsWith("Controller must use https; plain http is allowed only for a loopback address").And.Some.Contains(url));
    }

    [Test]
    public void A_controller_with_a_query_is_reported()
    {
        var options = Valid();
        options.Controller = new Uri("https://controller.example.com/?tenant=1");

        Assert.That(FailuresOf(options), Has.Some.StartsWith("Controller must have no query or fragment"));
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("   ")]
    public void A_missing_instance_id_is_reported(string? instanceId)
    {
        var options = Valid();
        options.InstanceId = instanceId;

        Assert.That(FailuresOf(options), Has.Some.EqualTo("InstanceId is required: the id of this databacker instance, as registered with the controller."));
    }

    [Test]
    public void A_missing_key_is_reported_with_both_ways_to_give_one()
    {
        var options = Valid();
        options.Key = null;

        Assert.That(FailuresOf(options), Has.Some.StartsWith("A key is required: set Key to the instance's EcdsaKey, or KeySource to an IInstanceKeySource"));
    }

    [Test]
    public void A_key_and_a_key_source_together_are_reported()
    {
        var options = Valid();
        options.KeySource = new PemStringKeySource(Key.ExportPkcs8PrivateKeyPem());

        Assert.That(FailuresOf(options), Has.Some.EqualTo("Set either Key or KeySource, not both."));
    }

    [Test]
    public void A_key_source_alone_is_valid()
    {
        var options = Valid();
        options.Key = null;
        options.KeySource = new PemStringKeySource(Key.ExportPkcs8PrivateKeyPem());

        Assert.That(FailuresOf(options), Is.Empty);
    }

    [Test]
    public void A_public_only_key_is_reported()
    {
        using var publicKey = EcdsaKey.ImportPem(Key.ExportSubjectPublicKeyInfoPem());
        var options = Valid();
        options.Key = publicKey;

        Assert.That(FailuresOf(options), Has.Some.StartsWith("Key is a public key only"));
    }

    [TestCase(0)]
    [TestCase(61)]
    public void An_assertion_lifetime_outside_one_to_sixty_seconds_is_reported(int seconds)
    {
        var options = Valid();
        options.AssertionLifetime = TimeSpan.FromSeconds(seconds);

        Assert.That(FailuresOf(options), Has.Some.StartsWith("AssertionLifetime must be a whole number of seconds from 1 to 60"));
    }

    [Test]
    public void A_relative_trusted_origin_is_reported()
    {
        var options = Valid();
        options.TrustedOrigins.Add(new Uri("/reporting", UriKind.Relative));

        Assert.That(FailuresOf(options), Has.Some.StartsWith("TrustedOrigins must hold absolute http or https URLs"));
    }

    [Test]
    public void Nested_group_failures_are_prefixed_with_the_group_name()
    {
        var options = Valid();
        options.Routing.MaxRedirects = 99;
        options.Resilience.MaxRetryAttempts = -1;
        options.Discovery.MinimumLifetime = TimeSpan.FromSeconds(-1);

        Assert.That(FailuresOf(options), Has.Some.StartsWith("Routing.MaxRedirects must be between 0 and 20")
            .And.Some.StartsWith("Resilience.MaxRetryAttempts must be between 0 and 10")
            .And.Some.StartsWith("Discovery.MinimumLifetime must not be negative"));
    }

    [Test]
    public void The_token_issuer_and_client_id_default_to_the_controller_and_instance_id()
    {
        var options = Valid();

        FailuresOf(options);

        Assert.That((options.Token.Issuer, options.Token.ClientId), Is.EqualTo((options.Controller, "i-1")));
    }
}
