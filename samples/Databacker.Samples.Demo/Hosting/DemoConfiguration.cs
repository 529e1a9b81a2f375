using Databacker.Api.Contracts;

namespace Databacker.Samples.Hosting;

/// <summary>
/// A realistic local configuration for the demo and the tests: one MySQL server with credentials, two databases,
/// pre-backup scripts and two targets (S3 with an access key, and a local directory). The secrets are fixed so the
/// tests can check that none of them reaches the controller.
/// </summary>
internal static class DemoConfiguration
{
    public const string DatabasePassword = "Pa55-w0rd-db-demo";
    public const string S3SecretAccessKey = "wJalrXUtnFEMI-K7MDENG-bPxRfiCYdemo";
    public const string EndpointPassword = "minio-Pr1vate-demo";

    public static LocalConfig Create(string name = "orders-db nightly") => new()
    {
        Version = "config.databack.io/v1",
        Metadata = new ConfigMetadata { Name = name, Description = "Nightly backup of the orders database server" },
        Spec = new LocalConfigSpec
        {
            Logging = "info",
            Database = new DatabaseConfig
            {
                Server = "db.internal",
                Port = 3306,
                Credentials = new DatabaseCredentials { Username = "backup", Password = DatabasePassword },
            },
            Dump = new DumpConfig
            {
                Include = ["orders", "customers"],
                Compression = "gzip",
                Schedule = new DumpSchedule { Cron = "0 2 * * *" },
                Targets = ["s3", "local"],
                Scripts = new DumpScripts { PreBackup = "/etc/databacker/pre-backup.d" },
            },
            Prune = new PruneConfig { Retention = "7d" },
            Targets = new Dictionary<string, BackupTarget>
            {
                ["s3"] = new()
                {
                    Type = TargetType.S3,
                    Url = "s3://acme-backups/orders",
                    Spec = new BackupTargetSpec
                    {
                        Region = "eu-central-1",
                        // Credentials in a URL: the agent logs this URL, and redaction must take them out.
                        Endpoint = $"https://backup:{EndpointPassword}@minio.internal:9000",
                        AccessKeyID = "AKIADEMOEXAMPLE",
                        SecretAccessKey = S3SecretAccessKey,
                    },
                },
                ["local"] = new() { Type = TargetType.File, Url = "file:///var/backups/databacker" },
            },
        },
    };

    /// <summary>Every secret value of <see cref="Create"/>.</summary>
    public static IReadOnlyList<string> Secrets { get; } = [DatabasePassword, S3SecretAccessKey, EndpointPassword];
}
