using System.Text.RegularExpressions;
using Stack.Tests.Support;

namespace Stack.Tests;

/// <summary>
/// The documents and the bench's generated text speak to a reader of this repository: they cite what that reader can
/// open, never a work item, a working session or a scratch path on the machine that measured.
/// </summary>
public sealed class DocumentationHygieneTests
{
    private static readonly (string Pattern, string Why)[] Internal =
    [
        (@"\bthe issue(?:'s| that)\b", "names a work item the reader cannot open: say \"the target\" or cite a public source"),
        (@"\bthis workplace\b", "names the machine the work was done on"),
        (@"\bsession \d+\b|\b(?:this|that|the earlier|a later) session\b(?!'s lock)", "names a working session: give the date or the commit"),
        (@"\braw(?: results)?:\s*`?/tmp/", "points at raw data in a scratch directory that is not kept"),
    ];

    [Fact]
    public void Documents_and_bench_output_carry_no_internal_references()
    {
        var files = ProcessRunner.Run("git", ["ls-files", "-z", "--", "*.md", "bench/run.sh", "bench/report.py"]);
        Assert.True(files.ExitCode == 0, files.Describe());
        var paths = files.StandardOutput.Split('\0', StringSplitOptions.RemoveEmptyEntries).ToList();
        Assert.Contains("docs/performance.md", paths);
        Assert.Contains("bench/report.py", paths);

        var found = new List<string>();
        foreach (var path in paths)
        {
            var lines = File.ReadAllLines(RepositoryRoot.File(path));
            for (var i = 0; i < lines.Length; i++)
            {
                found.AddRange(Internal
                    .Where(rule => Regex.IsMatch(lines[i], rule.Pattern, RegexOptions.IgnoreCase))
                    .Select(rule => $"{path}:{i + 1}: {rule.Why}: {lines[i].Trim()}"));
            }
        }

        Assert.Empty(found);
    }

    [Theory]
    [InlineData("beside it the plain ratio (the issue's figure, above)")]
    [InlineData("reported from ECR in the field (the issue that asked for it)")]
    [InlineData("The package mirror of this workplace serves")]
    [InlineData("`6d44a7c` (session 7's changes)")]
    [InlineData("load 1 to 5; raw: `/tmp/bench-q1`)")]
    [InlineData("Raw results: `/tmp/bench-s8` (throughput.tsv)")]
    public void The_rules_catch_the_forms_that_slipped_in_before(string line) =>
        Assert.Contains(Internal, rule => Regex.IsMatch(line, rule.Pattern, RegexOptions.IgnoreCase));

    [Fact]
    public void Every_test_the_documents_cite_by_class_and_method_exists_under_that_exact_name()
    {
        // A citation is evidence only if the reader can find the test: a name cut short or renamed since names nothing.
        var documents = ProcessRunner.Run("git", ["ls-files", "-z", "--", "*.md"]);
        var sources = ProcessRunner.Run("git", ["ls-files", "-z", "--", "tests/*.cs"]);
        Assert.True(documents.ExitCode == 0, documents.Describe());
        Assert.True(sources.ExitCode == 0, sources.Describe());
        var classes = sources.StandardOutput.Split('\0', StringSplitOptions.RemoveEmptyEntries)
            .GroupBy(path => Path.GetFileNameWithoutExtension(path), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => string.Concat(g.Select(path => File.ReadAllText(RepositoryRoot.File(path)))), StringComparer.Ordinal);

        var cited = 0;
        var missing = new List<string>();
        foreach (var path in documents.StandardOutput.Split('\0', StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var (type, method) in CitedTests(File.ReadAllText(RepositoryRoot.File(path))))
            {
                cited++;
                if (!classes.TryGetValue(type, out var source) || !Declares(source, method))
                {
                    missing.Add($"{path}: {type}.{method}");
                }
            }
        }

        Assert.True(cited > 100, $"only {cited} citations found: the pattern no longer matches how the documents cite tests");
        Assert.True(missing.Count == 0, "cited tests that do not exist:\n" + string.Join('\n', missing));
    }

    [Fact]
    public void A_test_name_cut_short_is_not_taken_for_the_real_one()
    {
        var cited = CitedTests("`Replicator.Core.Tests.Ecr.EcrRetryCodesTests.KmsException_is_transient_only_when_its_kmsError_is` | passed");

        const string Source = "public async Task KmsException_is_transient_only_when_its_kmsError_is_and_throttling_when_KMS_throttled(string? kmsError)";

        Assert.Equal(("EcrRetryCodesTests", "KmsException_is_transient_only_when_its_kmsError_is"), Assert.Single(cited));
        Assert.False(Declares(Source, cited[0].Method));
        Assert.True(Declares(Source, cited[0].Method + "_and_throttling_when_KMS_throttled"));
    }

    /// <summary>
    /// Tests cited as <c>ClassTests.Method_name</c> (the method names use underscores; a bare class, or a method cited
    /// alone after <c>...</c>, is not matched).
    /// </summary>
    private static List<(string Type, string Method)> CitedTests(string text) =>
        [.. Regex.Matches(text, @"\b([A-Z][A-Za-z0-9]*Tests)\.([A-Za-z][A-Za-z0-9]*_[A-Za-z0-9_]*)")
            .Select(m => (m.Groups[1].Value, m.Groups[2].Value))];

    /// <summary>Whether <paramref name="source"/> declares or calls a method of exactly that name.</summary>
    private static bool Declares(string source, string method) => Regex.IsMatch(source, $@"\b{Regex.Escape(method)}\s*\(");

    /// <summary>
    /// A secret key written into a command stays in the shell's history, and is in the process list, which other users
    /// of the machine can read, for as long as the command runs: the documents have the reader type it without echo
    /// (<c>read -rs</c>) and pass it by variable or through a file. The keys of LocalEcr's examples (test, secretA) are
    /// not secrets.
    /// </summary>
    [Fact]
    public void No_shell_command_in_the_documents_carries_a_secret_key_inline()
    {
        var files = ProcessRunner.Run("git", ["ls-files", "-z", "--", "*.md"]);
        Assert.True(files.ExitCode == 0, files.Describe());
        var found = new List<string>();
        foreach (var path in files.StandardOutput.Split('\0', StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (Match block in Regex.Matches(File.ReadAllText(RepositoryRoot.File(path)), @"```(?:sh|bash|shell)\n(?<body>.*?)```", RegexOptions.Singleline))
            {
                found.AddRange(block.Groups["body"].Value.Split('\n')
                    .Where(SecretInline)
                    .Select(line => $"{path}: {line.Trim()}"));
            }
        }

        Assert.Empty(found);
    }

    [Theory]
    [InlineData("env -u AWS_SESSION_TOKEN AWS_ACCESS_KEY_ID=AKIA... AWS_SECRET_ACCESS_KEY=... \\", true)]
    [InlineData("  '{\"AccessKeyId\":\"AKIA...\",\"SecretAccessKey\":\"...\",\"RoleArn\":\"arn:aws-cn:iam::333333333333:role/w\"}'", true)]
    [InlineData("export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI", true)]
    [InlineData("export AWS_ACCESS_KEY_ID=AKIA... AWS_SECRET_ACCESS_KEY=\"$SECRET\"", false)]
    [InlineData("AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-west-2 \\", false)]
    [InlineData("AWS_ACCESS_KEY_ID=AKIAA AWS_SECRET_ACCESS_KEY=secretA aws sts assume-role", false)]
    [InlineData("printf '{\"AccessKeyId\":\"%s\",\"SecretAccessKey\":\"%s\"}' AKIA... \"$SECRET\" > credentials.json", false)]
    public void The_secret_rule_tells_a_key_in_a_command_from_a_variable_or_a_local_test_key(string line, bool inline) =>
        Assert.Equal(inline, SecretInline(line));

    private static bool SecretInline(string line) =>
        Regex.IsMatch(line, @"AWS_SECRET_ACCESS_KEY=(?!""?\$|test\b|secret[A-Z]\b)")
        || Regex.IsMatch(line, @"""SecretAccessKey""\s*:\s*""(?!%s"")");

    [Fact]
    public void The_dead_letter_export_before_deletion_deletes_each_batch_it_saved_and_stops_on_an_empty_queue()
    {
        // A FIFO queue returns no message of a group while one of it is received and not deleted: an export that only
        // receives looks done after the first ten of a repository, and the stack's deletion takes the rest.
        var deploy = File.ReadAllText(RepositoryRoot.File("docs", "deploy.md"));
        var section = deploy[deploy.IndexOf("## Tearing the stack down", StringComparison.Ordinal)..];
        var recipe = Regex.Match(section, @"```sh\n(?<body>.*?)```", RegexOptions.Singleline).Groups["body"].Value;
        var lines = recipe.Split('\n').Select(l => l.Trim()).ToList();

        var receive = lines.FindIndex(l => l.StartsWith("aws sqs receive-message ", StringComparison.Ordinal));
        Assert.True(receive >= 0, "the export receives nothing:\n" + recipe);
        // Long polling: an empty answer means nothing is visible, not an unlucky short poll of a few servers.
        Assert.Contains("--wait-time-seconds 20", lines[receive], StringComparison.Ordinal);
        var batch = Regex.Match(lines[receive], @">\s*(?<file>\S+)(?:\s*\|\|\s*break)?$").Groups["file"].Value;
        Assert.False(string.IsNullOrEmpty(batch), "the receive's answer is not saved to a file: " + lines[receive]);
        var save = lines.FindIndex(receive, l => l.StartsWith($"cat {batch} >> ", StringComparison.Ordinal));
        var delete = lines.FindIndex(receive, l => l.StartsWith("aws sqs delete-message-batch ", StringComparison.Ordinal));
        Assert.True(save > receive && delete > save, "the batch is not appended to the export before it is deleted:\n" + recipe);
        // The receipt handles deleted are those of the batch just saved, nothing else.
        Assert.Contains(batch, lines[delete], StringComparison.Ordinal);
        Assert.Contains("ReceiptHandle", lines[delete], StringComparison.Ordinal);
        // It stops when SQS counts nothing, visible or in flight...
        var count = lines.FindIndex(l => l.Contains("aws sqs get-queue-attributes ", StringComparison.Ordinal));
        Assert.True(count > receive, "the export never asks SQS what is left:\n" + recipe);
        Assert.Contains("ApproximateNumberOfMessages ", lines[count], StringComparison.Ordinal);
        Assert.Contains("ApproximateNumberOfMessagesNotVisible", lines[count], StringComparison.Ordinal);
        Assert.Contains(lines.Skip(count), l => Regex.IsMatch(l, @"= 0 \]? *&& break$|^break$"));
        // ...or when a call fails (expired credentials, an empty DLQ_URL): an empty count is never 0, so without this
        // the loop would retry the failing call forever.
        Assert.All([lines[receive], lines[delete], lines[count]], l => Assert.EndsWith("|| break", l, StringComparison.Ordinal));
    }

    [Fact]
    public void Every_link_to_a_heading_names_a_heading_of_that_document()
    {
        // A heading renamed or a link typed by hand lands the reader at the top of a 2,000-line guide, not where it says.
        var files = ProcessRunner.Run("git", ["ls-files", "-z", "--", "*.md"]);
        Assert.True(files.ExitCode == 0, files.Describe());
        var paths = files.StandardOutput.Split('\0', StringSplitOptions.RemoveEmptyEntries);
        var anchors = paths.ToDictionary(p => p, p => MarkdownAnchors.Of(File.ReadAllText(RepositoryRoot.File(p))), StringComparer.Ordinal);

        var links = paths.SelectMany(p => MarkdownAnchors.LinksIn(p, File.ReadAllText(RepositoryRoot.File(p))).Select(l => (From: p, l.Document, l.Anchor))).ToList();
        var broken = links
            .Where(l => !anchors.TryGetValue(l.Document, out var there) || !there.Contains(l.Anchor))
            .Select(l => $"{l.From}: {l.Document}#{l.Anchor}")
            .ToList();

        Assert.Empty(broken);
        Assert.Contains(links, l => l.Document == "docs/deploy.md" && l.Anchor == "alarms-what-to-do-first");
    }

    [Theory]
    [InlineData("IAM: what the function may do", "iam-what-the-function-may-do")]
    [InlineData("Managed `dotnet10` or `provided.al2023`", "managed-dotnet10-or-providedal2023")]
    [InlineData("Checked again on 2026-12-07, morning: run Q, the bench without the machine's AWS_CA_BUNDLE", "checked-again-on-2026-12-07-morning-run-q-the-bench-without-the-machines-aws_ca_bundle")]
    [InlineData("arm64 cross build on an x86_64 Linux host", "arm64-cross-build-on-an-x86_64-linux-host")]
    public void A_headings_anchor_is_githubs(string heading, string anchor) =>
        Assert.Equal(anchor, MarkdownAnchors.Slug(heading));

    [Fact]
    public void A_repeated_heading_gets_a_numbered_anchor_and_one_in_a_code_block_none()
    {
        var anchors = MarkdownAnchors.Of("# Guide\n## Notes\n```\n## Not a heading\n```\n### Notes\n");

        Assert.Equal(["guide", "notes", "notes-1"], anchors.Order(StringComparer.Ordinal));
        Assert.Equal([("docs/deploy.md", "notes"), ("README.md", "top"), ("docs/x.md", "y")], MarkdownAnchors.LinksIn("docs/x.md", "[a](deploy.md#notes) [b](../README.md#top) [c](#y) [d](https://example.com/#z)"));
    }

    [Fact]
    public void Every_log_group_the_documents_name_is_one_the_stack_creates()
    {
        // The function logs to the group its LoggingConfig names (ReplicatorLogGroup, STACK-replicator), not to
        // /aws/lambda/ followed by the function's generated name.
        var files = ProcessRunner.Run("git", ["ls-files", "-z", "--", "*.md"]);
        Assert.True(files.ExitCode == 0, files.Describe());
        var found = files.StandardOutput.Split('\0', StringSplitOptions.RemoveEmptyEntries)
            .SelectMany(path => StackNames.UnknownLogGroups(File.ReadAllText(RepositoryRoot.File(path))).Select(name => $"{path}: {name}"))
            .ToList();

        Assert.Contains("/aws/lambda/STACK-replicator", StackNames.Given);
        Assert.Empty(found);
        Assert.Equal(["/aws/lambda/FUNCTION"], StackNames.UnknownLogGroups("`aws logs filter-log-events --log-group-name /aws/lambda/FUNCTION`"));
    }
}
