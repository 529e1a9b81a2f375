using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace Databacker.Api.Server.Binding;

/// <summary>
/// Binds a streamed request body (NDJSON logs, binary data) to the raw request stream, so an action reads
/// it incrementally instead of MVC buffering it or looking for a form file.
/// </summary>
public sealed class RequestBodyStreamBinder : IModelBinder
{
    /// <inheritdoc />
    public Task BindModelAsync(ModelBindingContext bindingContext)
    {
        ArgumentNullException.ThrowIfNull(bindingContext);
        bindingContext.Result = ModelBindingResult.Success(bindingContext.HttpContext.Request.Body);
        return Task.CompletedTask;
    }
}
