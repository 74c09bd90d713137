namespace Replicator.Samples;

public enum SampleFormat
{
    /// <summary>OCI image manifest and OCI index.</summary>
    Oci,

    /// <summary>Docker schema 2 manifest and Docker manifest list.</summary>
    Docker,
}
