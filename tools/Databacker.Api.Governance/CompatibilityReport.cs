namespace Databacker.Api.Governance;

/// <summary>The outcome of comparing a contract with its last released version.</summary>
/// <param name="BreakingChanges">Every change that breaks a released media type or operation; empty when compatible.</param>
/// <param name="OperationsCompared">Operations present in both versions.</param>
/// <param name="MediaTypesCompared">Request and response media types present in both versions.</param>
internal sealed record CompatibilityReport(IReadOnlyList<BreakingChange> BreakingChanges, int OperationsCompared, int MediaTypesCompared)
{
    /// <summary>Whether the contract keeps every promise of the released one.</summary>
    public bool IsCompatible => BreakingChanges.Count == 0;
}
