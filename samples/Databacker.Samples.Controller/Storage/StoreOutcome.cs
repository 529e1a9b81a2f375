namespace Databacker.Samples.Controller.Storage;

/// <summary>How a store write ended, for the controller to map onto a status code.</summary>
public enum StoreOutcome
{
    Done,
    NotFound,
    Conflict,
    PreconditionFailed,
}

/// <summary>An outcome and, when <see cref="StoreOutcome.Done"/>, the value written.</summary>
public readonly record struct StoreResult<T>(StoreOutcome Outcome, T? Value, string? Detail = null)
{
    public static StoreResult<T> Done(T value) => new(StoreOutcome.Done, value);

    public static StoreResult<T> Fail(StoreOutcome outcome, string? detail = null) => new(outcome, default, detail);
}
