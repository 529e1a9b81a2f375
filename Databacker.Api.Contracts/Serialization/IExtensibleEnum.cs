namespace Databacker.Api.Contracts.Serialization;

/// <summary>
/// An enumeration of the contract that keeps values it does not know, so that a value added by a newer
/// controller or agent survives deserialization and is written back unchanged.
/// </summary>
public interface IExtensibleEnum
{
    /// <summary>The value as it appears on the wire.</summary>
    string Value { get; }

    /// <summary>Whether this version of the contract knows the value.</summary>
    bool IsKnown { get; }
}
