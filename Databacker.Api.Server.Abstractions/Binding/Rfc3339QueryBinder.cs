using Databacker.Api.Contracts.Serialization;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace Databacker.Api.Server.Binding;

/// <summary>
/// Binds a <c>date-time</c> query parameter (<c>since</c>) as RFC 3339 says: with its offset. MVC's own binder reads
/// any date the culture knows (<c>01/02/2025</c>) and a time without an offset in this server's zone, so the answer
/// would depend on where the server runs. Anything else is a 400 naming the parameter. A <c>+</c> left unescaped in
/// the query (read as a space) is taken as the <c>+</c> of the offset.
/// </summary>
internal sealed class Rfc3339QueryBinder : IModelBinder
{
    public Task BindModelAsync(ModelBindingContext bindingContext)
    {
        ArgumentNullException.ThrowIfNull(bindingContext);
        var value = bindingContext.ValueProvider.GetValue(bindingContext.ModelName);
        if (value == ValueProviderResult.None)
        {
            return Task.CompletedTask;
        }

        bindingContext.ModelState.SetModelValue(bindingContext.ModelName, value);
        var text = value.FirstValue;
        if (text is { Length: > 19 } && text.IndexOf(' ', 19) is var space and > 0)
        {
            text = string.Concat(text.AsSpan(0, space), "+", text.AsSpan(space + 1));
        }

        if (Rfc3339DateTimeOffsetConverter.TryParse(text, out var parsed))
        {
            bindingContext.Result = ModelBindingResult.Success(parsed);
        }
        else
        {
            bindingContext.ModelState.TryAddModelError(bindingContext.ModelName,
                $"'{bindingContext.ModelName}' must be an RFC 3339 date-time with an offset, e.g. 2025-01-01T00:00:00Z.");
        }

        return Task.CompletedTask;
    }
}

/// <summary>Binds a query parameter with <see cref="Rfc3339QueryBinder"/>; put on generated <c>date-time</c> query parameters.</summary>
[AttributeUsage(AttributeTargets.Parameter)]
internal sealed class Rfc3339QueryAttribute : Microsoft.AspNetCore.Mvc.ModelBinderAttribute
{
    public Rfc3339QueryAttribute()
        : base(typeof(Rfc3339QueryBinder))
    {
        // Still a query parameter (a 400 names it as one), bound by this binder.
        BindingSource = Microsoft.AspNetCore.Mvc.ModelBinding.BindingSource.Query;
    }
}
