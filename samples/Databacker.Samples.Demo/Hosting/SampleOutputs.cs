using System.Reflection;

namespace Databacker.Samples.Hosting;

/// <summary>
/// Where the controller's and the agent's assemblies were built (recorded at build time by SampleOutputs.targets),
/// so they run as real processes with <c>dotnet &lt;dll&gt;</c> and nothing is built at run time.
/// </summary>
internal static class SampleOutputs
{
    public static string Controller => Locate("SampleOutputs.Controller", "DATABACKER_CONTROLLER_DLL");

    public static string Agent => Locate("SampleOutputs.Agent", "DATABACKER_AGENT_DLL");

    private static string Locate(string key, string environmentVariable)
    {
        var path = Environment.GetEnvironmentVariable(environmentVariable);
        if (string.IsNullOrEmpty(path))
        {
            path = typeof(SampleOutputs).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value;
        }

        if (string.IsNullOrEmpty(path) || !File.Exists(path))
        {
            throw new FileNotFoundException(
                $"{key} was not found at '{path}'. Build the solution first (dotnet build), or set {environmentVariable} to the assembly's path.", path);
        }

        return path;
    }
}
