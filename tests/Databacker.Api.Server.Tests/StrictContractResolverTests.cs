using Databacker.Api.Contracts;
using Databacker.Api.Server.Binding;
using Newtonsoft.Json;
using Newtonsoft.Json.Serialization;

namespace Databacker.Api.Server.Tests;

/// <summary>
/// <see cref="StrictContractResolver"/>: strict about explicit nulls when reading the contract's members, unchanged when
/// writing (a null optional member is left out, never an exception), and not applied to the implementer's own types.
/// </summary>
[TestFixture]
public sealed class StrictContractResolverTests
{
    private static readonly JsonSerializerSettings Settings = new()
    {
        ContractResolver = new StrictContractResolver { NamingStrategy = new CamelCaseNamingStrategy() },
    };

    private sealed class OwnType
    {
        public string? Note { get; set; }
    }

    [Test]
    public void A_null_optional_member_is_left_out_when_writing()
    {
        var json = JsonConvert.SerializeObject(new InstanceUpdate { Name = "orders", Description = null }, Settings);

        Assert.That(json, Is.EqualTo("""{"name":"orders"}"""));
    }

    [Test]
    public void An_explicit_null_is_refused_when_reading_a_contract_type()
    {
        var error = Assert.Throws<JsonSerializationException>(() => JsonConvert.DeserializeObject<InstanceUpdate>("""{"description":null}""", Settings));

        Assert.That(error!.Message, Does.Contain("description"));
    }

    [Test]
    public void The_implementers_own_types_keep_json_nets_rules()
    {
        var read = JsonConvert.DeserializeObject<OwnType>("""{"note":null}""", Settings);

        Assert.That(read!.Note, Is.Null);
    }

    [Test]
    public void Hand_written_types_of_the_contract_assembly_keep_json_nets_rules()
    {
        var json = JsonConvert.SerializeObject(new Databacker.Api.Contracts.Versioning.VendorMediaType("config", 1, null), Settings);

        Assert.That(json, Does.Contain("\"config\""));
    }
}
