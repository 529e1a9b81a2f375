using System.ComponentModel.DataAnnotations;

namespace Databacker.Api.Contracts.Validation;

/// <summary>
/// The <c>minLength</c> and <c>maxLength</c> of a string in the contract, counted as JSON Schema counts them: in
/// characters (Unicode code points), so 200 emoji are 200 characters, not the 400 UTF-16 units
/// <see cref="StringLengthAttribute"/> counts. Put on the contract's string members by the code generator.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field | AttributeTargets.Parameter, AllowMultiple = false)]
public sealed class TextLengthAttribute : StringLengthAttribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="maximumLength">The most characters (code points) allowed.</param>
    public TextLengthAttribute(int maximumLength)
        : base(maximumLength)
    {
    }

    /// <inheritdoc />
    public override bool IsValid(object? value)
    {
        if (value is not string text)
        {
            return base.IsValid(value);
        }

        // A code point is one or two UTF-16 units: count only when the units alone cannot decide.
        var length = text.Length > MaximumLength || text.Length < 2 * MinimumLength ? text.EnumerateRunes().Count() : text.Length;
        return length >= MinimumLength && length <= MaximumLength;
    }
}
