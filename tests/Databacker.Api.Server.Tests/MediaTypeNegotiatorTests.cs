using Databacker.Api.Contracts.Versioning;
using Databacker.Api.Server.Negotiation;

namespace Databacker.Api.Server.Tests;

public sealed class MediaTypeNegotiatorTests
{
    private static readonly string[] Available = ["application/vnd.databack.run.v1+json", "application/vnd.databack.run.v2+json", "application/vnd.databack.run.v2+yaml"];

    [TestCase("application/vnd.databack.run+yaml", "application/vnd.databack.run.v2+yaml")]
    [TestCase("application/vnd.databack.run.v2+yaml;q=0.2, application/vnd.databack.run.v1+json;q=0.3", "application/vnd.databack.run.v1+json")]
    [TestCase("application/vnd.databack.run.v2+yaml;q=1, application/vnd.databack.run.v2+json;q=0.5", "application/vnd.databack.run.v2+yaml")]
    [TestCase("APPLICATION/VND.DATABACK.RUN.V1+JSON", "application/vnd.databack.run.v1+json")]
    [TestCase("application/vnd.databack.run.v2;q=0, application/vnd.databack.run+json", "application/vnd.databack.run.v1+json")]
    [TestCase("application/vnd.databack.run+json, application/vnd.databack.run.v2;q=0", "application/vnd.databack.run.v1+json")]
    [TestCase("*/*", "application/vnd.databack.run.v2+json")]
    [TestCase("application/*", "application/vnd.databack.run.v2+json")]
    public void The_highest_quality_and_most_specific_match_wins(string accept, string expected) =>
        Assert.That(MediaTypeNegotiator.SelectResponseMediaType([accept], Available), Is.EqualTo(expected));

    [TestCase("*/*")]
    [TestCase("application/*")]
    public void A_wildcard_selects_the_default_format_even_when_another_format_has_a_higher_version(string accept) =>
        Assert.That(
            MediaTypeNegotiator.SelectResponseMediaType([accept], ["application/vnd.databack.run.v1+json", "application/vnd.databack.run.v2+yaml"]),
            Is.EqualTo("application/vnd.databack.run.v1+json"));

    [Test]
    public void The_default_is_the_highest_version_of_json_not_another_format() =>
        Assert.That(MediaTypeNegotiator.SelectDefault(Available), Is.EqualTo("application/vnd.databack.run.v2+json"));

    [TestCase("not a media type")]
    [TestCase("application/vnd.databack.other.v1+json")]
    public void Unparsable_or_foreign_accept_values_select_nothing(string accept) =>
        Assert.That(MediaTypeNegotiator.SelectResponseMediaType([accept], Available), Is.Null);

    [TestCase("application/vnd.databack.run.v1+json; charset=utf-8", "application/vnd.databack.run.v1+json")]
    [TestCase("application/vnd.databack.run+json", "application/vnd.databack.run.v2+json")]
    [TestCase("application/vnd.databack.run.v2", "application/vnd.databack.run.v2+json")]
    [TestCase("application/vnd.databack.run.v3+json", null)]
    [TestCase("", null)]
    public void A_request_content_type_selects_the_supported_version_it_denotes(string contentType, string? expected) =>
        Assert.That(MediaTypeNegotiator.SelectRequestMediaType(contentType, Available), Is.EqualTo(expected));

    [Test]
    public void Vendor_media_types_parse_into_resource_version_and_format()
    {
        Assert.That(VendorMediaType.TryParse("application/vnd.databack.device-config.v12+json", out var parsed), Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(parsed!.Resource, Is.EqualTo("device-config"));
            Assert.That(parsed.Version, Is.EqualTo(12));
            Assert.That(parsed.Format, Is.EqualTo("json"));
            Assert.That(VendorMediaType.TryParse("application/json", out _), Is.False);
        });
    }

    [Test]
    public void Adding_a_version_without_version_or_format_is_refused() =>
        Assert.That(() => new ResourceVersionCollection().Add("application/vnd.databack.device-config+json"), Throws.ArgumentException);
}
