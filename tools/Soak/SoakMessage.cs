using Replicator.Function.Events;
using Replicator.Samples;

namespace Soak;

/// <summary>One pushed image and its event, with what was done to it before the run.</summary>
internal sealed record SoakMessage(SQSMessage Record, string Repository, string Tag, SampleImage Image, SoakSetup Setup);

/// <summary>How a message was prepared: its expected end state follows from this.</summary>
internal enum SoakSetup
{
    /// <summary>Must end replicated (or redriven after maxReceiveCount failures).</summary>
    Plain,

    /// <summary>The tag points at another digest in an immutable destination: must be dead-lettered as ImmutableTagConflict.</summary>
    ImmutableConflict,

    /// <summary>The source image was deleted before the run: must be skipped (acknowledged, copied nowhere).</summary>
    DeletedSource,
}
