using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Amazon.Runtime.Credentials;

namespace Replicator.Core.Signing;

/// <summary>
/// Credentials from AWSSDK.Core: by default its standard chain (environment, profiles and SSO, web identity,
/// container and instance roles). The SDK's <see cref="AWSCredentials"/> objects cache and refresh themselves
/// before expiry, so every call asks them again rather than keeping a copy here.
/// </summary>
public sealed class AwsSdkCredentialsSource : IAwsCredentialsSource
{
    private readonly AWSCredentials? _credentials;
    private readonly Func<Task<AWSCredentials>> _resolve;
    private readonly Lock _gate = new();
    private Task<AWSCredentials>? _resolving;

    // The set last handed out, as one object while the SDK hands out the same keys, so Invalidate(used) can tell
    // whether a refused set is still the cached one; null once invalidated, until the next call hands one out.
    private AwsCredentials? _issued;

    // Counts invalidations: a set read across one is not recorded as _issued (it may predate the invalidation).
    private long _invalidations;

    /// <summary>Resolves the default chain lazily, on first use (so constructing never fails).</summary>
    public AwsSdkCredentialsSource()
        : this(static () => DefaultAWSCredentialsIdentityResolver.GetCredentialsAsync())
    {
    }

    public AwsSdkCredentialsSource(AWSCredentials credentials)
    {
        _credentials = credentials ?? throw new ArgumentNullException(nameof(credentials));
        _resolve = () => Task.FromResult(credentials);
    }

    /// <summary>
    /// The credentials of one named profile of the shared config and credentials files (keys, <c>role_arn</c> with
    /// <c>source_profile</c> or <c>credential_source</c>, <c>credential_process</c>, SSO), chosen as the AWS CLI's
    /// <c>--profile</c> chooses them: ahead of the environment's keys and of <c>AWS_PROFILE</c>. The profile must exist
    /// now, and so must the <c>source_profile</c> it names (the files are read here, and an unknown name is an
    /// <see cref="ArgumentException"/> in botocore's words);
    /// its credentials are resolved on first use, and again after each invalidation, as the default chain's are.
    /// </summary>
    public static AwsSdkCredentialsSource ForProfile(string profileName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(profileName);
        var profiles = new CredentialProfileStoreChain();
        var profile = Find(profiles, profileName);

        // A role profile's source_profile must exist too. AWSSDK.Core finds out only at the first call, and says so
        // in an unrelated message (AssumeRole "requires ... AWS Signature V4a"); botocore refuses up front with
        // InvalidConfigError, whose words these are. Followed down a chain of role profiles, each profile once.
        var visited = new HashSet<string>(StringComparer.Ordinal) { profileName };
        while (profile.Options.SourceProfile is { Length: > 0 } source && visited.Add(source))
        {
            if (!profiles.TryGetProfile(source, out var sourceProfile))
            {
                throw new ArgumentException($"The source_profile \"{source}\" referenced in the profile \"{profile.Name}\" does not exist.");
            }

            profile = sourceProfile;
        }

        return new AwsSdkCredentialsSource(() => new CredentialProfileStoreChain().TryGetAWSCredentials(profileName, out var credentials)
            ? Task.FromResult(credentials)
            : throw new AmazonClientException($"Failed to resolve AWS credentials from the config profile ({profileName}): it holds no keys, role, process or SSO settings the AWS SDK can use"));
    }

    /// <summary>
    /// Throws the <see cref="ArgumentException"/> of <see cref="ForProfile"/> when no profile of that name is in the shared
    /// files: for a profile that only brings settings, its credentials coming from elsewhere (keys in the environment).
    /// </summary>
    public static void EnsureProfileExists(string profileName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(profileName);
        _ = Find(new CredentialProfileStoreChain(), profileName);
    }

    private static CredentialProfile Find(CredentialProfileStoreChain profiles, string profileName) =>
        profiles.TryGetProfile(profileName, out var profile)
            ? profile

            // botocore's ProfileNotFound: "The config profile (NAME) could not be found".
            : throw new ArgumentException($"The config profile ({profileName}) could not be found");

    /// <summary>Resolves with <paramref name="resolve"/> (in place of the SDK's default chain) on first use and after each invalidation.</summary>
    internal AwsSdkCredentialsSource(Func<Task<AWSCredentials>> resolve)
    {
        _resolve = resolve ?? throw new ArgumentNullException(nameof(resolve));
    }

    public async ValueTask<AwsCredentials> GetCredentialsAsync(CancellationToken cancellationToken)
    {
        var invalidations = Interlocked.Read(ref _invalidations);
        var source = _credentials ?? await ResolveAsync(cancellationToken);
        var current = await source.GetCredentialsAsync().WaitAsync(cancellationToken);
        return Issue(current, invalidations);
    }

    /// <summary>
    /// After an <c>ExpiredTokenException</c>: a refreshing source (role, SSO, web identity, container, instance)
    /// drops its cached set, and the default chain is walked again, so the next call gets what is current now
    /// (Lambda, for example, may have rotated the environment's keys).
    /// </summary>
    public void Invalidate()
    {
        lock (_gate)
        {
            Forget();
        }
    }

    /// <summary>
    /// As <see cref="Invalidate()"/>, only while <paramref name="used"/> is the set last handed out: requests signed with
    /// one set are refused together, and only the first refusal drops it. The later ones would otherwise drop the set
    /// fetched again after it, and every refused request would cost a walk of the chain (an STS or metadata call).
    /// </summary>
    public void Invalidate(AwsCredentials used)
    {
        lock (_gate)
        {
            if (used is not null && ReferenceEquals(_issued, used))
            {
                Forget();
            }
        }
    }

    // Under _gate. The count goes up last, so a caller that reads the new count also sees the cleared cache.
    private void Forget()
    {
        if ((_credentials ?? (_resolving is { IsCompletedSuccessfully: true } done ? done.Result : null)) is RefreshingAWSCredentials refreshing)
        {
            refreshing.ClearCredentials();
        }

        if (_credentials is null)
        {
            _resolving = null;
        }

        _issued = null;
        Interlocked.Increment(ref _invalidations);
    }

    private AwsCredentials Issue(ImmutableCredentials current, long invalidations)
    {
        var token = current.UseToken ? current.Token : null;
        lock (_gate)
        {
            if (_issued is { } issued
                && string.Equals(issued.AccessKeyId, current.AccessKey, StringComparison.Ordinal)
                && string.Equals(issued.SecretAccessKey, current.SecretKey, StringComparison.Ordinal)
                && string.Equals(issued.SessionToken, string.IsNullOrEmpty(token) ? null : token, StringComparison.Ordinal))
            {
                return issued;
            }

            var fresh = new AwsCredentials(current.AccessKey, current.SecretKey, token);
            if (invalidations == _invalidations)
            {
                _issued = fresh;
            }

            return fresh;
        }
    }

    private Task<AWSCredentials> ResolveAsync(CancellationToken cancellationToken)
    {
        var resolving = Volatile.Read(ref _resolving);
        if (resolving is null || resolving.IsFaulted || resolving.IsCanceled)
        {
            // A failed resolution (no credentials yet, metadata endpoint down) is retried on the next call. The
            // resolution is published before it starts, under the lock, so parallel callers share one and none ever
            // reads the field back after an invalidation has cleared it.
            TaskCompletionSource<AWSCredentials>? started = null;
            lock (_gate)
            {
                resolving = _resolving;
                if (resolving is null || resolving.IsFaulted || resolving.IsCanceled)
                {
                    started = new TaskCompletionSource<AWSCredentials>(TaskCreationOptions.RunContinuationsAsynchronously);
                    _resolving = resolving = started.Task;
                }
            }

            if (started is not null)
            {
                _ = RunResolveAsync(started);
            }
        }

        return resolving.WaitAsync(cancellationToken);
    }

    // Outside the lock: the chain's own code (file reads, metadata calls) never runs under it. No caller's token: the
    // resolution is shared, and each caller stops waiting on its own.
    private async Task RunResolveAsync(TaskCompletionSource<AWSCredentials> started)
    {
        try
        {
            started.SetResult(await _resolve());
        }
        catch (Exception ex)
        {
            started.SetException(ex);

            // Every waiting caller sees the failure; observed here so a resolution all callers left is not reported
            // as an unobserved task exception.
            _ = started.Task.Exception;
        }
    }
}
