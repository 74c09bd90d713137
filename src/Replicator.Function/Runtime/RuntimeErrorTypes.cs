namespace Replicator.Function.Runtime;

/// <summary>Values of the Lambda-Runtime-Function-Error-Type header (Lambda Runtime API reference).</summary>
public static class RuntimeErrorTypes
{
    public const string ConfigInvalid = "Runtime.ConfigInvalid";
    public const string UnknownReason = "Runtime.UnknownReason";
}
