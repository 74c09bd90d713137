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

    // The profile that signs in with IAM Identity Center, where ForProfile's chain ends in one: named in the advice
    // added to a failure for want of a token.
    private string? _ssoProfile;

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
    /// now, and its role chain must be one this command can follow (<see cref="ProfileRoleChain.Check"/>: the files are
    /// read here, and a problem is an <see cref="ArgumentException"/>, in botocore's words where it has them);
    /// its credentials are resolved on first use, and again after each invalidation, as the default chain's are.
    /// </summary>
    public static AwsSdkCredentialsSource ForProfile(string profileName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(profileName);
        var profiles = new CredentialProfileStoreChain();
        var source = ProfileRoleChain.Check(profiles, ProfileRoleChain.Find(profiles, profileName));
        return new AwsSdkCredentialsSource(() => new CredentialProfileStoreChain().TryGetAWSCredentials(profileName, out var credentials)
            ? Task.FromResult(credentials)
            : throw new AmazonClientException($"Failed to resolve AWS credentials from the config profile ({profileName}): it holds no keys, role, process or SSO settings the AWS SDK can use"))
        {
            _ssoProfile = source.Options.SsoSession is { Length: > 0 } || source.Options.SsoStartUrl is { Length: > 0 } ? source.Name : null,
        };
    }

    /// <summary>
    /// What to do when the SSO profile <paramref name="profileName"/> has no valid token: sign in with the AWS CLI, whose
    /// token cache (~/.aws/sso/cache) the AWS SDK reads and refreshes; this command never opens a sign-in itself.
    /// https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-sso.html. No "token" right before ':' or '=': the
    /// console's redactor reads that as a secret and its value, and would hide the command to run.
    /// </summary>
    public static string SsoSignInAdvice(string profileName) =>
        $"the profile \"{profileName}\" signs in with IAM Identity Center (SSO) and holds no valid token; sign in with aws sso login --profile {profileName}, then run this command again (it reads the AWS CLI's token cache and never opens a sign-in itself)";

    // AWSSDK.Core's SSOAWSCredentials, with no token cached or one that cannot be refreshed: "No valid SSO Token could be
    // found." (wrapped in "Error calling AssumeRole" when a role profile's chain ends in the SSO profile).
    private static bool WantsSsoToken(Exception? exception)
    {
        for (var depth = 0; exception is not null && depth < 5; exception = exception.InnerException, depth++)
        {
            if (exception is AmazonClientException && exception.Message.Contains("SSO Token", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Throws the <see cref="ArgumentException"/> of <see cref="ForProfile"/> when no profile of that name is in the shared
    /// files: for a profile that only brings settings, its credentials coming from elsewhere (keys in the environment).
    /// </summary>
    public static void EnsureProfileExists(string profileName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(profileName);
        _ = ProfileRoleChain.Find(new CredentialProfileStoreChain(), profileName);
    }

    /// <summary>Resolves with <paramref name="resolve"/> (in place of the SDK's default chain) on first use and after each invalidation.</summary>
    internal AwsSdkCredentialsSource(Func<Task<AWSCredentials>> resolve)
    {
        _resolve = resolve ?? throw new ArgumentNullException(nameof(resolve));
    }

    public async ValueTask<AwsCredentials> GetCredentialsAsync(CancellationToken cancellationToken)
    {
        var invalidations = Interlocked.Read(ref _invalidations);
        var source = _credentials ?? await ResolveAsync(cancellationToken);
        ImmutableCredentials current;
        try
        {
            current = await source.GetCredentialsAsync().WaitAsync(cancellationToken);
        }
        catch (Exception e) when (_ssoProfile is { } sso && WantsSsoToken(e))
        {
            throw new AmazonClientException($"{e.Message.Trim()} ({SsoSignInAdvice(sso)})", e);
        }

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
