using System.Globalization;
using System.Text.RegularExpressions;
using Replicator.Core.Configuration;
using Replicator.Core.Destinations;
using Replicator.Core.EventBridge;
using Replicator.Core.Partitions;
using Replicator.Core.Replication;
using Replicator.Core.Selection;
using Replicator.Core.Validation;
using Replicator.Function.Observability;
using Replicator.Function.Redelivery;

namespace Replicator.Function.Configuration;

/// <summary>
/// Parses and validates each environment variable; every error names the variable. This file says which variable
/// feeds which setting and parses the plain values; FunctionConfigLoader.Addresses.cs parses endpoints, queue URLs
/// and SSM parameter names.
/// </summary>
internal static partial class FunctionConfigLoader
{
    public const string DestinationRegions = "DESTINATION_REGIONS";
    public const string DeadLetterQueueUrl = "DEAD_LETTER_QUEUE_URL";
    public const string ReconcileQueueUrl = "RECONCILE_QUEUE_URL";
    public const string ReconcileCursorParameter = "RECONCILE_CURSOR_PARAMETER";
    public const string MaxParallelLayers = "MAX_PARALLEL_LAYERS";
    public const string SignatureWaitSeconds = SignatureWaitSetting.Variable;
    public const string TagFilter = "TAG_FILTER";
    public const string RepositoryFilterVariable = "REPOSITORY_FILTER";
    public const string ReplicateDeletes = "REPLICATE_DELETES";
    public const string MetricsNamespace = "METRICS_NAMESPACE";
    public const string DestinationKmsKeys = KmsKeys.Variable;
    public const string RetryBaseSeconds = "RETRY_BASE_SECONDS";
    public const string RetryMaxSeconds = "RETRY_MAX_SECONDS";
    public const string MaxReceiveCountVariable = "MAX_RECEIVE_COUNT";
    public const string AwsRegion = "AWS_REGION";
    public const string AwsEndpointUrlSqs = "AWS_ENDPOINT_URL_SQS";
    public const string AwsEndpointUrl = "AWS_ENDPOINT_URL";
    public const string ReplicatedEventBus = "REPLICATED_EVENT_BUS";
    public const string LogLevelVariable = "AWS_LAMBDA_LOG_LEVEL";
    public const string LogFormatVariable = "AWS_LAMBDA_LOG_FORMAT";

    /// <summary>"true" under <c>sam local invoke</c> and <c>start-lambda</c>, which set it in every function's environment (https://github.com/aws/aws-sam-cli/blob/develop/samcli/local/lambdafn/env_vars.py).</summary>
    public const string SamLocalVariable = "AWS_SAM_LOCAL";

    public static FunctionConfig Load(IEnvironmentVariables environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        string? Get(string name)
        {
            var value = environment.GetEnvironmentVariable(name);
            return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
        }

        var region = Get(AwsRegion) ?? throw new ConfigurationException(AwsRegion, "is required");
        if (EcrNames.ValidateRegion(region) is { } regionError)
        {
            throw new ConfigurationException(AwsRegion, regionError);
        }

        // AWS_IGNORE_CONFIGURED_ENDPOINT_URLS turns this override off too, as it does ECR's, STS's, SSM's and EventBridge's
        // here and SQS's in the CLI (https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html).
        var sqsEndpoint = ConfiguredEndpoint.Ignored(environment)
            ? null
            : ParseEndpoint(Get(AwsEndpointUrlSqs), AwsEndpointUrlSqs) ?? ParseEndpoint(Get(AwsEndpointUrl), AwsEndpointUrl);

        var destinations = ParseDestinations(Get(DestinationRegions));
        if (destinations.FirstOrDefault(d => d.IsSource(region)) is { } own)
        {
            // The function's events come from its own region, so this destination would be skipped on every record
            // (RecordDecision.DestinationsFor): a mistake worth an init error, as the CLI refuses it too.
            throw new ConfigurationException(DestinationRegions, $"{own.Region} is the function's own region (AWS_REGION): give other regions, or ACCOUNT:{own.Region} for another account");
        }

        // Entries of DESTINATION_CREDENTIALS, DESTINATION_ROLE_ARNS and DESTINATION_KMS_KEYS naming no destination: the
        // initializer logs one WARN each (Core's rule, IgnoredEntry).
        var ignored = new List<IgnoredEntry>();
        DestinationAccess access;
        RepositoryMapping mapping;
        TimeSpan signatureWait;
        System.Security.Cryptography.X509Certificates.X509Certificate2Collection? trustedRoots;
        EventBusReference? eventBus = null;
        Uri? eventEndpoint = null;
        try
        {
            if (Get(ReplicatedEventBus) is { } bus)
            {
                eventBus = EventBusReference.Parse(bus, ReplicatedEventBus);
                if (eventBus.Region is { } busRegion && AwsPartitions.IdOf(busRegion) != AwsPartitions.IdOf(region))
                {
                    // The function's role signs the PutEvents call, and IAM credentials are valid in their own
                    // partition only: every event would be refused (UnrecognizedClientException), one WARN per image.
                    throw new SettingException(ReplicatedEventBus, $"names a bus in partition {AwsPartitions.IdOf(busRegion)}, but the function runs in {AwsPartitions.IdOf(region)} (AWS_REGION {region}), and its credentials are not valid there: give a bus in {AwsPartitions.IdOf(region)}");
                }

                eventEndpoint = ResolveEventEndpoint(eventBus.RegionOr(region), environment);
            }

            access = DestinationAccess.FromEnvironment(environment, destinations, region, ignored);
            mapping = RepositoryMapping.Parse(Get(RepositoryMapping.Variable));

            // Core's rule, which the CLI applies to the same variable; off when unset (the template sets it).
            signatureWait = SignatureWaitSetting.Parse(Get(SignatureWaitSeconds));

            // Checked here so a bad override is an init error, not a failure of every record.
            ServiceEndpoints.Override(environment, ServiceEndpoints.StsVariable);
            ServiceEndpoints.Override(environment, ServiceEndpoints.SsmVariable);
            CheckEcrEndpoint(region, environment);

            // Read once, here: a bundle that cannot be read is an init error, and every HttpClient of the function trusts
            // what was read (FunctionConfig.TrustedRoots) instead of parsing it again (some 20 ms per 150 certificates).
            trustedRoots = CaBundle.Load(environment);
        }
        catch (SettingException ex)
        {
            throw new ConfigurationException(ex.Setting, ex.Problem);
        }

        var repositoryFilter = ParseRepositoryFilter(Get(RepositoryFilterVariable));
        var replicateDeletes = ParseBoolean(Get(ReplicateDeletes), ReplicateDeletes);
        var samLocal = Get(SamLocalVariable) == "true";
        var reconcileQueueUrl = ParseReconcileQueueUrl(Get(ReconcileQueueUrl), region, allowHttp: sqsEndpoint is not null, samLocal);
        if ((replicateDeletes || reconcileQueueUrl is not null) && mapping.Collisions(repositoryFilter) is { Count: > 0 } collisions)
        {
            // Two source repositories sharing one destination repository. With deletes replicated, each one's DELETE
            // events and the reconciler (a destination tag its source lacks is deleted) remove the other's tags. With the
            // scheduled reconciler alone, a tag both sources have points at one digest in the destination, so each pass
            // finds it differing for the other source, copies that one's over it and announces it: the tag flips on
            // every pass.
            var (setting, remedy) = replicateDeletes
                ? ($"{ReplicateDeletes}=true", $"turn {ReplicateDeletes} off")
                : ($"{ReconcileQueueUrl} set (the scheduled reconciler)", $"leave {ReconcileQueueUrl} unset");
            throw new ConfigurationException(
                RepositoryMapping.Variable,
                $"with {setting} every destination name must come from one source repository, but {string.Join("; ", collisions)}. "
                + $"Give each rule a destination prefix that no other rule and no unmapped name can produce, narrow {RepositoryFilterVariable}, or {remedy}");
        }

        var kmsKeys = ParseKmsKeys(Get(DestinationKmsKeys), destinations, ignored);
        var parallelLayers = ParseMaxParallelLayers(Get(MaxParallelLayers));

        // ToReplicatorOptions keeps the engine's part settings, so its defaults give the buffers a blob takes.
        var layerFit = LayerMemoryFit.For(parallelLayers, new ReplicatorOptions().PartBufferBytesPerBlob, Get(LayerMemoryFit.Variable));
        return new FunctionConfig
        {
            Region = region,
            Destinations = destinations,
            Access = access,
            RepositoryMapping = mapping,
            KmsKeyIds = kmsKeys,
            IgnoredEntries = ignored,
            DeadLetterQueueUrl = ParseQueueUrl(Get(DeadLetterQueueUrl), region, allowHttp: sqsEndpoint is not null, samLocal),
            ReconcileQueueUrl = reconcileQueueUrl,
            ReconcileCursorParameter = ParseParameterName(Get(ReconcileCursorParameter), ReconcileCursorParameter, samLocal: reconcileQueueUrl is not null && samLocal),
            MaxParallelLayers = layerFit?.Allowed ?? parallelLayers,
            LayerMemoryFit = layerFit,
            SignatureWait = signatureWait,
            RepositoryFilter = repositoryFilter,
            TagFilter = ParseTagFilter(environment.GetEnvironmentVariable(TagFilter)),
            ReplicateDeletes = replicateDeletes,
            MetricsNamespace = ParseNamespace(Get(MetricsNamespace)),
            SqsEndpoint = sqsEndpoint,
            Redelivery = ParseRedelivery(Get(RetryBaseSeconds), Get(RetryMaxSeconds)),
            MaxReceiveCount = ParseMaxReceiveCount(Get(MaxReceiveCountVariable)),
            ReplicatedEventBus = eventBus,
            ReplicatedEventEndpoint = eventEndpoint,
            LogLevel = ParseLogLevel(Get(LogLevelVariable)),
            LogFormat = ParseLogFormat(Get(LogFormatVariable)),
            TrustedRoots = trustedRoots,
        };
    }

    internal static IReadOnlyList<ReplicationDestination> ParseDestinations(string? value)
    {
        if (value is null)
        {
            throw new ConfigurationException(DestinationRegions, "is required: a comma-separated list of regions or account:region entries");
        }

        try
        {
            return ReplicationDestination.ParseLists([value], DestinationRegions);
        }
        catch (SettingException ex)
        {
            throw new ConfigurationException(ex.Setting, ex.Problem);
        }
    }

    // The rule is Core's (the CLI reads the same variable); only the error type is the function's.
    internal static IReadOnlyDictionary<string, string> ParseKmsKeys(string? value, IReadOnlyList<ReplicationDestination> destinations, ICollection<IgnoredEntry> ignored)
    {
        try
        {
            return KmsKeys.Parse(value, destinations, ignored);
        }
        catch (SettingException ex)
        {
            throw new ConfigurationException(ex.Setting, ex.Problem);
        }
    }

    private static int ParseMaxParallelLayers(string? value)
    {
        if (value is null)
        {
            return FunctionConfig.DefaultMaxParallelLayers;
        }

        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) || parsed < 1 || parsed > FunctionConfig.MaxMaxParallelLayers)
        {
            throw new ConfigurationException(MaxParallelLayers, $"must be a whole number from 1 to {FunctionConfig.MaxMaxParallelLayers}, not {EcrNames.Quote(value)}");
        }

        return parsed;
    }

    // The queue's redrive maxReceiveCount, which SQS takes from 1 to 1,000: a value it could never have is a typo.
    private static int? ParseMaxReceiveCount(string? value)
    {
        if (value is null)
        {
            return null;
        }

        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) || parsed < 1 || parsed > FunctionConfig.MaxMaxReceiveCount)
        {
            throw new ConfigurationException(MaxReceiveCountVariable, $"must be a whole number from 1 to {FunctionConfig.MaxMaxReceiveCount}, the replication queue's maxReceiveCount (SQS's range), not {EcrNames.Quote(value)}");
        }

        return parsed;
    }

    // Whole seconds, as ChangeMessageVisibility takes them; at most what SQS is sure to accept (MaxDelaySeconds).
    internal static RedeliverySettings ParseRedelivery(string? baseValue, string? maxValue)
    {
        static int Parse(string? value, string variable, int fallback, int min)
        {
            if (value is null)
            {
                return fallback;
            }

            if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) || parsed < min || parsed > RedeliveryBackoff.MaxDelaySeconds)
            {
                throw new ConfigurationException(variable, $"must be a whole number of seconds from {min} to {RedeliveryBackoff.MaxDelaySeconds} (SQS's 12-hour visibility limit, less the queue's visibility timeout of {RedeliveryBackoff.QueueVisibilitySeconds} s that can pass before the function asks)");
            }

            return parsed;
        }

        var first = Parse(baseValue, RetryBaseSeconds, RedeliveryBackoff.DefaultBaseSeconds, 1);
        var max = Parse(maxValue, RetryMaxSeconds, Math.Max(RedeliveryBackoff.DefaultMaxSeconds, first), first);
        return new RedeliverySettings { BaseSeconds = first, MaxSeconds = max };
    }

    private static RepositoryFilter ParseRepositoryFilter(string? value)
    {
        if (value is null)
        {
            return RepositoryFilter.Everything;
        }

        try
        {
            return RepositoryFilter.Parse(value);
        }
        catch (RepositoryFilterException ex)
        {
            throw new ConfigurationException(RepositoryFilterVariable, ex.Message);
        }
    }

    private static Regex? ParseTagFilter(string? value)
    {
        try
        {
            return Core.Selection.TagFilter.Create(value);
        }
        catch (ArgumentException ex)
        {
            throw new ConfigurationException(TagFilter, $"{EcrNames.Quote(value ?? string.Empty)} {ex.Message}");
        }
    }

    private static bool ParseBoolean(string? value, string variable)
    {
        if (value is null)
        {
            return false;
        }

        return value.ToUpperInvariant() switch
        {
            "TRUE" => true,
            "FALSE" => false,
            _ => throw new ConfigurationException(variable, $"must be true or false, not {EcrNames.Quote(value)}"),
        };
    }

    private static string ParseNamespace(string? value)
    {
        if (value is null)
        {
            return FunctionConfig.DefaultMetricsNamespace;
        }

        // CloudWatch: 1..255 characters, not starting with ':' (botocore's cloudwatch model, shape Namespace: pattern
        // "[^:].*"); "AWS/" is reserved for AWS services.
        if (value.Length is 0 or > 255 || value[0] == ':' || value.StartsWith("AWS/", StringComparison.OrdinalIgnoreCase) || value.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or '/' or '#' or ':' or ' ')))
        {
            throw new ConfigurationException(MetricsNamespace, "must be 1 to 255 of letters, digits, '.', '-', '_', '/', '#', ':' or space, not starting with ':' or AWS/");
        }

        return value;
    }

    private static LogLevel ParseLogLevel(string? value) => value?.ToUpperInvariant() switch
    {
        null => LogLevel.Info,
        "TRACE" => LogLevel.Trace,
        "DEBUG" => LogLevel.Debug,
        "INFO" => LogLevel.Info,
        "WARN" => LogLevel.Warn,
        "ERROR" => LogLevel.Error,
        "FATAL" => LogLevel.Fatal,
        _ => throw new ConfigurationException(LogLevelVariable, "must be one of TRACE, DEBUG, INFO, WARN, ERROR, FATAL"),
    };

    /// <summary>
    /// The log format AWS_LAMBDA_LOG_FORMAT asks for, read on its own and never refused (JSON unless it says Text): for
    /// the line about an init failure, written when the configuration as a whole could not be loaded.
    /// </summary>
    public static LogFormat LogFormatOf(IEnvironmentVariables environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return ReadLogFormat(environment.GetEnvironmentVariable(LogFormatVariable)?.Trim()) ?? LogFormat.Json;
    }

    private static LogFormat ParseLogFormat(string? value) =>
        ReadLogFormat(value) ?? throw new ConfigurationException(LogFormatVariable, "must be JSON or Text");

    // The one reading of the variable's values; null for a value Lambda would not set.
    private static LogFormat? ReadLogFormat(string? value) => value?.ToUpperInvariant() switch
    {
        null or "JSON" => LogFormat.Json,
        "TEXT" => LogFormat.Text,
        _ => null,
    };
}
