namespace Replicator.Function.Observability;

/// <summary>The levels of Lambda's advanced logging controls (AWS_LAMBDA_LOG_LEVEL), lowest first.</summary>
public enum LogLevel
{
    Trace,
    Debug,
    Info,
    Warn,
    Error,
    Fatal,
}
