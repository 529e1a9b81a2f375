using System.ComponentModel;
using System.Globalization;

namespace Databacker.Api.Contracts.Serialization;

/// <summary>
/// Converts <see cref="IExtensibleEnum"/> values from and to strings, so that they bind from query strings,
/// route values, headers and form fields (ASP.NET Core model binding uses type converters there).
/// </summary>
/// <param name="type">The extensible enumeration type.</param>
public sealed class ExtensibleEnumTypeConverter(Type type) : TypeConverter
{
    /// <inheritdoc />
    public override bool CanConvertFrom(ITypeDescriptorContext? context, Type sourceType)
        => sourceType == typeof(string) || base.CanConvertFrom(context, sourceType);

    /// <inheritdoc />
    public override object? ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value)
        => value is string text ? ExtensibleEnumFactory.Create(type, text) : base.ConvertFrom(context, culture, value);

    /// <inheritdoc />
    public override object? ConvertTo(ITypeDescriptorContext? context, CultureInfo? culture, object? value, Type destinationType)
        => destinationType == typeof(string) && value is IExtensibleEnum extensible
            ? extensible.Value
            : base.ConvertTo(context, culture, value, destinationType);
}
