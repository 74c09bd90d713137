using System.Collections.Concurrent;

namespace LocalEcr.Storage;

/// <summary>All registries served by one LocalEcr: one <see cref="RegistryState"/> per account and region.</summary>
internal sealed class Registry : IDisposable
{
    private readonly ConcurrentDictionary<(string Account, string Region), RegistryState> _states = new();

    public RegistryState For(string accountId, string region) =>
        _states.GetOrAdd((accountId, region), static key => new RegistryState(key.Account, key.Region));

    /// <summary>Drops every upload session and its temporary file (a fault: later parts get UploadNotFoundException).</summary>
    public void ForgetUploads()
    {
        foreach (var state in _states.Values)
        {
            lock (state.Sync)
            {
                foreach (var session in state.Uploads.Values)
                {
                    session.Close();
                }

                state.Uploads.Clear();
            }
        }
    }

    /// <summary>Ends every restore in progress now: each ACTIVATING image becomes ACTIVE.</summary>
    public void FinishRestores()
    {
        foreach (var state in _states.Values)
        {
            state.FinishRestores(null);
        }
    }

    /// <summary>Ends every managed signing in progress now: each signature is stored.</summary>
    public void FinishSigning(BlobStore blobs)
    {
        foreach (var state in _states.Values)
        {
            state.FinishSigning(blobs, null);
        }
    }

    public void Dispose()
    {
        foreach (var state in _states.Values)
        {
            lock (state.Sync)
            {
                // Their temporary files are of no use once the server is gone, even in a data directory it keeps.
                foreach (var session in state.Uploads.Values)
                {
                    session.Close();
                }

                state.Uploads.Clear();
            }
        }
    }
}
