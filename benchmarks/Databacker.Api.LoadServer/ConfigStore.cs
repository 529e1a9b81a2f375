using Databacker.Api.Contracts;
using Databacker.Api.Server.Caching;
using Newtonsoft.Json;

namespace Databacker.Api.LoadServer;

/// <summary>
/// The one configuration served: the example of <c>GET /engines/config/{instance}</c> in openapi.yaml, with its ETag
/// computed once when stored, as a real store would on <c>PUT</c>.
/// </summary>
public sealed class ConfigStore
{
    /// <summary>Creates the store.</summary>
    public ConfigStore() => EntityTag = CanonicalEntityTag.Compute(Document);

    private const string ExampleJson = """
        {
          "version": "config.databack.io/v1",
          "kind": "local",
          "metadata": { "name": "orders-db", "description": "Nightly backup of the orders database" },
          "spec": {
            "logging": "info",
            "database": { "server": "db.internal.example.com", "port": 3306, "credentials": { "username": "backup", "password": "change-me" } },
            "dump": { "include": ["orders"], "compression": "gzip", "schedule": { "cron": "0 2 * * *" }, "targets": ["offsite"] },
            "targets": {
              "offsite": {
                "type": "s3",
                "url": "s3://backups/orders",
                "spec": { "region": "eu-west-1", "accessKeyID": "AKIAEXAMPLE", "secretAccessKey": "example-secret" }
              }
            }
          }
        }
        """;

    /// <summary>The document.</summary>
    public ConfigDocument Document { get; } = JsonConvert.DeserializeObject<ConfigDocument>(ExampleJson)
        ?? throw new InvalidOperationException("The example configuration did not deserialize.");

    /// <summary>The document's strong ETag.</summary>
    public string EntityTag { get; }
}
