using System.Reflection;
using Newtonsoft.Json;
using Newtonsoft.Json.Serialization;

namespace Databacker.Api.Server.Binding;

/// <summary>
/// Reads the contract's optional members as the contract declares them: no member of <c>openapi.yaml</c> is nullable, so
/// an explicit <c>null</c> (<c>PATCH {"name":null}</c>) is a 400 naming the member, not read as "left out". The shared
/// contract types stay lenient (a client must still read a server that writes such nulls); only the server's binding
/// is strict. Free-form members (<see cref="object"/>-typed, extension data, map values) may still be null, as their
/// schema (<c>{}</c>) allows. Writing is unchanged: optional members are left out when null.
/// </summary>
internal sealed class ContractNullsResolver : DefaultContractResolver
{
    private static readonly Assembly ContractAssembly = typeof(Contracts.Instance).Assembly;

    protected override JsonProperty CreateProperty(MemberInfo member, MemberSerialization memberSerialization)
    {
        var property = base.CreateProperty(member, memberSerialization);
        if (property.Required == Required.Default
            && property.PropertyType != typeof(object)
            && member.DeclaringType?.Assembly == ContractAssembly)
        {
            property.Required = Required.DisallowNull;
        }

        return property;
    }
}
