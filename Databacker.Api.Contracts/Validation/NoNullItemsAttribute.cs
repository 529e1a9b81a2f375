using System.Collections;
using System.ComponentModel.DataAnnotations;

namespace Databacker.Api.Contracts.Validation;

/// <summary>
/// The contract's arrays never hold <c>null</c>, nor do its maps of objects: a request body such as
/// <c>{"events":[null]}</c> or <c>{"targets":{"s3":null}}</c> fails model validation (a 400 problem on a controller built
/// on the server abstractions) instead of reaching the implementation as a null item. Put on the generated array
/// properties and on maps whose values are the contract's objects.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field | AttributeTargets.Parameter, AllowMultiple = false)]
public sealed class NoNullItemsAttribute : ValidationAttribute
{
    /// <summary>Creates the attribute.</summary>
    public NoNullItemsAttribute()
        : base("The field {0} must not contain null items.")
    {
    }

    /// <inheritdoc />
    public override bool IsValid(object? value)
    {
        if (value is IDictionary map)
        {
            // A map of the contract's objects (targets by name) holds no null values either.
            foreach (var item in map.Values)
            {
                if (item is null)
                {
                    return false;
                }
            }

            return true;
        }

        if (value is not IEnumerable items || value is string)
        {
            return true;
        }

        foreach (var item in items)
        {
            if (item is null)
            {
                return false;
            }
        }

        return true;
    }
}
