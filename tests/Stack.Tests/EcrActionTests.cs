using System.Text.RegularExpressions;
using Replicator.Core.Ecr;
using Stack.Tests.Support;

namespace Stack.Tests;

/// <summary>
/// The ecr: actions the roles grant are the ECR operations the function can call, no more and no fewer: a grant nobody
/// calls is privilege for nothing, and a call without a grant is an AccessDenied found only in a real account.
/// </summary>
public sealed class EcrActionTests
{
    /// <summary>
    /// Actions IAM checks for a call beyond the call's own. CreateRepository with tags (the source's, copied) is also
    /// authorized as ecr:TagResource: https://docs.aws.amazon.com/AmazonECR/latest/userguide/ecr-supported-iam-actions-tagging.html
    /// ListImageReferrers is authorized as ecr:BatchGetImage ("the IAM principal invoking this operation must have the
    /// ecr:BatchGetImage permission": https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_ListImageReferrers.html).
    /// </summary>
    private static readonly Dictionary<string, string[]> AlsoAuthorizes = new(StringComparer.Ordinal)
    {
        ["CreateRepository"] = ["TagResource"],
        ["ListImageReferrers"] = ["BatchGetImage"],
    };

    [Fact]
    public void The_function_role_grants_exactly_the_operations_the_function_calls()
    {
        var expected = ActionsOfTheCalls();

        // Every optional branch: exclusions, mapping, reconciling on and off, other accounts and partitions.
        var granted = Samples.EveryBranch()
            .SelectMany(sample => RolePolicies.Statements(sample.Stack))
            .Where(s => s.Effect == "Allow")
            .SelectMany(s => s.Actions)
            .Where(a => a.StartsWith("ecr:", StringComparison.Ordinal))
            .ToHashSet(StringComparer.Ordinal);

        Assert.Empty(granted.Except(expected).Order(StringComparer.Ordinal)); // granted, never called
        Assert.Empty(expected.Except(granted).Order(StringComparer.Ordinal)); // called, never granted
    }

    [Fact]
    public void The_destination_role_grants_only_operations_the_function_calls()
    {
        var expected = ActionsOfTheCalls();
        var granted = DestinationRole.Statements("arn:aws:kms:us-west-2:111111111111:key/k")
            .Where(s => s.Effect == "Allow")
            .SelectMany(s => s.Actions)
            .Where(a => a.StartsWith("ecr:", StringComparison.Ordinal))
            .ToHashSet(StringComparer.Ordinal);

        Assert.Contains("ecr:PutImage", granted);
        Assert.Empty(granted.Except(expected).Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// With every optional grant (AllowDeletes, AllowLifecyclePolicies, and AdditionalTrustedPrincipals for operators running the CLI with
    /// --destination-region ACCOUNT:REGION), the role grants nothing that neither the function nor the CLI calls, and
    /// what the CLI's verify reads in a destination (DescribeImages) is granted.
    /// </summary>
    [Fact]
    public void The_destination_role_with_every_option_grants_only_operations_the_function_or_the_CLI_calls()
    {
        var expected = ActionsOfTheCalls("Replicator.Core", "Replicator.Function", "Replicator.Cli");
        var granted = DestinationRole.Statements("arn:aws:kms:us-west-2:111111111111:key/k", "arn:aws:iam::222222222222:role/operator", "true", "true")
            .Where(s => s.Effect == "Allow")
            .SelectMany(s => s.Actions)
            .Where(a => a.StartsWith("ecr:", StringComparison.Ordinal))
            .ToHashSet(StringComparer.Ordinal);

        Assert.Subset(granted, new HashSet<string>(["ecr:DescribeImages", "ecr:BatchDeleteImage", "ecr:PutLifecyclePolicy", "ecr:PutImage"], StringComparer.Ordinal));
        Assert.Empty(granted.Except(expected).Order(StringComparer.Ordinal));

        // verify reads a destination's referrers from its DescribeImages listing: no call there needs more.
        Assert.DoesNotContain("ecr:ListImageReferrers", granted);
    }

    /// <summary>
    /// A grant of a call is worth nothing without the actions IAM also checks for it, on the same repositories: each
    /// Allow statement that grants an action of <see cref="AlsoAuthorizes"/> grants those too, in the function's role
    /// (every branch) and in the destination role with every option.
    /// </summary>
    [Fact]
    public void Every_statement_granting_a_call_also_grants_what_ECR_checks_for_it()
    {
        var statements = Samples.EveryBranch()
            .SelectMany(sample => RolePolicies.Statements(sample.Stack))
            .Concat(DestinationRole.Statements("arn:aws:kms:us-west-2:111111111111:key/k", "arn:aws:iam::222222222222:role/operator", "true", "true"))
            .Where(s => s.Effect == "Allow")
            .ToList();

        Assert.Contains(statements, s => s.Actions.Contains("ecr:ListImageReferrers"));
        Assert.All(statements, statement => Assert.All(
            AlsoAuthorizes.Where(call => statement.Actions.Contains("ecr:" + call.Key)).SelectMany(call => call.Value),
            also => Assert.True(statement.Actions.Contains("ecr:" + also), $"{statement.Policy}/{statement.Sid} grants a call ECR also checks ecr:{also} for, without it")));
    }

    /// <summary>
    /// The operations the function calls on the source only, never through a destination client, each with where. Every
    /// other operation it calls may reach a destination in another account, whose role must grant it.
    /// </summary>
    private static readonly Dictionary<string, string> SourceOnly = new(StringComparer.Ordinal)
    {
        ["GetDownloadUrlForLayer"] = "BlobCopier: every blob is downloaded from the source",
        ["GetLifecyclePolicy"] = "RepositoryProvisioner.ReadSourceAsync: the source's settings, copied to a new repository",
        ["GetRepositoryPolicy"] = "RepositoryProvisioner.ReadSourceAsync",
        ["ListImageReferrers"] = "ReferrerListing, over the source (SourceReferrerWalk, PacedListings, the CLI's verify)",
        ["DescribeImageSigningStatus"] = "SourceSignatureWait: the source image's managed signing, before its referrers are listed",
    };

    /// <summary>
    /// Called on a destination, and deliberately not granted by the destination role: the replicator copies a repository
    /// policy only into its own account (NewRepositorySettings.CopiesRepositoryPolicy), since the source's policy names
    /// the source account's principals, and who may pull in another account stays that account's decision.
    /// </summary>
    private static readonly string[] NotGrantedInOtherAccounts = ["SetRepositoryPolicy"];

    /// <summary>
    /// A call on a destination client without a grant is an AccessDenied found only in another account: with every
    /// option (AllowDeletes for a delete, AllowLifecyclePolicies for a lifecycle policy), the destination role grants every ECR action the function's calls on a
    /// destination are authorized as, that is everything the function calls but the source-only reads above and the
    /// one documented exception.
    /// </summary>
    [Fact]
    public void The_destination_role_grants_every_operation_the_function_calls_on_a_destination()
    {
        var called = CalledOperations();
        Assert.Subset(called, SourceOnly.Keys.Concat(NotGrantedInOtherAccounts).ToHashSet(StringComparer.Ordinal)); // no stale entry

        var onDestinations = called.Except(SourceOnly.Keys).Except(NotGrantedInOtherAccounts).ToList();
        var expected = onDestinations
            .Concat(onDestinations.SelectMany(op => AlsoAuthorizes.GetValueOrDefault(op, [])))
            .Select(op => "ecr:" + op)
            .ToHashSet(StringComparer.Ordinal);
        var granted = DestinationRole.Statements("arn:aws:kms:us-west-2:111111111111:key/k", allowDeletes: "true", allowLifecyclePolicies: "true")
            .Where(s => s.Effect == "Allow")
            .SelectMany(s => s.Actions)
            .ToHashSet(StringComparer.Ordinal);

        Assert.Contains("ecr:BatchDeleteImage", expected);
        Assert.Contains("ecr:PutLifecyclePolicy", expected);
        Assert.Empty(expected.Except(granted).Order(StringComparer.Ordinal)); // called on a destination, never granted there
        Assert.DoesNotContain("ecr:SetRepositoryPolicy", granted);
    }

    [Fact]
    public void The_scan_finds_the_calls_of_the_engine_and_not_the_operations_it_never_calls()
    {
        var called = CalledOperations();

        // Through a paginator (DriftScanner), directly (DestinationReplicator), and in Replicator.Core alike.
        Assert.Contains("DescribeImages", called);
        Assert.Contains("PutImage", called);
        Assert.Contains("ListImageReferrers", called);
        // On IEcrClient, but called by nothing in the function: the registry login and the bare image listing.
        Assert.DoesNotContain("GetAuthorizationToken", called);
        Assert.DoesNotContain("ListImages", called);
    }

    /// <summary>The IAM actions the function's calls are authorized as.</summary>
    private static HashSet<string> ActionsOfTheCalls(params string[] projects)
    {
        var called = CalledOperations(projects);
        return called.Concat(called.SelectMany(op => AlsoAuthorizes.GetValueOrDefault(op, []))).Select(op => "ecr:" + op).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>
    /// The IEcrClient operations that src/Replicator.Core and src/Replicator.Function (or the given projects) name at a call site
    /// (<c>client.PutImageAsync(...)</c>, <c>client.Paginators.DescribeImages(...)</c>): the ECR client library itself
    /// (Replicator.Core/Ecr: the client, its paginators) and the IEcrClient decorators pass every operation through
    /// and are not call sites. Comments are skipped.
    /// </summary>
    private static HashSet<string> CalledOperations(params string[] projects)
    {
        projects = projects.Length == 0 ? ["Replicator.Core", "Replicator.Function"] : projects;
        var operations = typeof(IEcrClient).GetMethods()
            .Where(m => m.Name.EndsWith("Async", StringComparison.Ordinal))
            .Select(m => m.Name[..^"Async".Length])
            .ToList();
        Assert.Contains("PutImage", operations);

        var decorators = new[] { typeof(IEcrClient).Assembly, typeof(Replicator.Function.Configuration.FunctionConfig).Assembly }
            .SelectMany(a => a.GetTypes())
            .Where(t => t.IsClass && typeof(IEcrClient).IsAssignableFrom(t))
            .Select(t => t.Name)
            .ToList();
        Assert.Contains("RetryingEcrClient", decorators);

        var library = RepositoryRoot.File("src", "Replicator.Core", "Ecr") + Path.DirectorySeparatorChar;
        var sources = projects
            .SelectMany(project => Directory.EnumerateFiles(RepositoryRoot.File("src", project), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.StartsWith(library, StringComparison.Ordinal)
                && !decorators.Any(d => Path.GetFileName(f) == d + ".cs" || Path.GetFileName(f).StartsWith(d + ".", StringComparison.Ordinal)))
            .ToList();

        var code = string.Join('\n', sources.SelectMany(File.ReadLines).Where(line => !line.TrimStart().StartsWith("//", StringComparison.Ordinal)));
        return operations
            .Where(op => Regex.IsMatch(code, $@"\.{op}Async\b|\bPaginators\.{op}\(", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(5)))
            .ToHashSet(StringComparer.Ordinal);
    }
}
