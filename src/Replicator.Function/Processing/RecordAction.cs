namespace Replicator.Function.Processing;

public enum RecordAction
{
    /// <summary>Copy the image to the destinations.</summary>
    Replicate,

    /// <summary>Remove the tag or digest from the destinations.</summary>
    Delete,

    /// <summary>Nothing to do: acknowledge the message with a log line.</summary>
    Acknowledge,
}
