using Microsoft.Extensions.Http;
using Microsoft.Extensions.Options;

namespace Databacker.Api.Client.DependencyInjection;

/// <summary>
/// An options type with no settings, validated on start: building it creates the handler chain of every databacker
/// client once, so a primary handler that follows redirects fails the start-up rather than the first call.
/// </summary>
internal sealed class PrimaryHandlerCheck
{
    internal sealed class Validator(IServiceProvider services) : IValidateOptions<PrimaryHandlerCheck>
    {
        public ValidateOptionsResult Validate(string? name, PrimaryHandlerCheck options)
        {
            var factory = (IHttpMessageHandlerFactory?)services.GetService(typeof(IHttpMessageHandlerFactory));
            if (factory is null)
            {
                return ValidateOptionsResult.Skip;
            }

            var failures = new List<string>();
            var registration = (DatabackerClientRegistration?)services.GetService(typeof(DatabackerClientRegistration));
            foreach (var client in registration?.ClientNames ?? DatabackerClientNames.All)
            {
                try
                {
                    factory.CreateHandler(client);
                }
                catch (InvalidOperationException ex)
                {
                    failures.Add(ex.Message);
                }
                catch (OptionsValidationException)
                {
                    // Invalid client options are reported by their own validator.
                    return ValidateOptionsResult.Skip;
                }
            }

            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }
    }
}
