namespace Replicator.Function.Observability;

/// <summary>AWS_LAMBDA_LOG_FORMAT: one JSON object per line, or plain text lines.</summary>
public enum LogFormat
{
    Json,
    Text,
}
