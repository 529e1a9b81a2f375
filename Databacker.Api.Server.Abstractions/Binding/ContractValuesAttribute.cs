using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace Databacker.Api.Server.Binding;

/// <summary>
/// Allows only the values an <c>enum</c> of the contract lists. The generated controllers put it on query parameters
/// whose schema is an enumeration: there a value this server does not know cannot select anything, so it is refused
/// with 400 rather than answered with an empty result. (Bodies keep unknown values of extensible enumerations.)
/// </summary>
[AttributeUsage(AttributeTargets.Parameter | AttributeTargets.Property, AllowMultiple = false)]
public sealed class ContractValuesAttribute : ValidationAttribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="values">The values the contract lists, compared ordinally.</param>
    public ContractValuesAttribute(params string[] values)
        : base("The field {0} must be one of: {1}.")
    {
        ArgumentNullException.ThrowIfNull(values);
        Values = values;
    }

    /// <summary>The allowed values.</summary>
    public IReadOnlyList<string> Values { get; }

    /// <inheritdoc />
    public override bool IsValid(object? value) =>
        value is null || Values.Contains(Convert.ToString(value, CultureInfo.InvariantCulture), StringComparer.Ordinal);

    /// <inheritdoc />
    public override string FormatErrorMessage(string name) =>
        string.Format(CultureInfo.InvariantCulture, ErrorMessageString, name, string.Join(", ", Values));
}
