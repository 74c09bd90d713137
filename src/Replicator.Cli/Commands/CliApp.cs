using System.CommandLine;
using System.CommandLine.Parsing;
using Replicator.Cli.Composition;
using Replicator.Cli.Output;
using Replicator.Core.Ecr;
using Replicator.Core.Errors;
using Replicator.Core.Replication;

namespace Replicator.Cli.Commands;

/// <summary>
/// The CLI's entry: parses, runs one command, and turns every error into one line on stderr and an exit code
/// (2 for bad arguments and errors that stop a command, <see cref="ExitCodes.Cancelled"/> when a stop signal cut it
/// short), never a stack trace.
/// </summary>
public static class CliApp
{
    /// <summary>The global option that chooses a profile of the shared AWS files, as the AWS CLI's.</summary>
    public const string ProfileOptionName = "--profile";

    public static RootCommand BuildRoot(CliContext context)
    {
        var root = new RootCommand("Replicates Amazon ECR images across regions: backfill, one-off copies, verification and an offline demo.");
        root.Options.Add(new Option<string?>(ProfileOptionName)
        {
            Description = "Use this profile of the AWS config and credentials files, as `aws --profile` does: its credentials ahead of the environment's keys, and its region (default: AWS_PROFILE)",
            HelpName = "NAME",
            Recursive = true,
        });
        root.Subcommands.Add(DemoCommand.Create(context));
        root.Subcommands.Add(SyncCommand.Create(context));
        root.Subcommands.Add(CopyCommand.Create(context));
        root.Subcommands.Add(VerifyCommand.Create(context));
        root.Subcommands.Add(PushSampleCommand.Create(context));
        return root;
    }

    /// <summary>
    /// One line for the parse's errors. A word the parser does not know is named alone, with the help to read: the other
    /// errors it causes ("Required command was not provided" for a misspelt command) only mislead.
    /// </summary>
    private static string ParseErrorLine(ParseResult parse)
    {
        if (parse.UnmatchedTokens.Count == 0)
        {
            // Several mistakes stay on one line, each without System.CommandLine's closing full stop: joined as they
            // came, "Required command was not provided.; Required argument missing ..." read as a typo.
            return string.Join("; ", parse.Errors.Select(e => Output.ErrorText.WithoutFullStop(e.Message)).Distinct(StringComparer.Ordinal));
        }

        var path = new List<string>();
        for (SymbolResult? at = parse.CommandResult; at is CommandResult command; at = command.Parent)
        {
            path.Insert(0, command.Command.Name);
        }

        path[0] = "replicator";
        var words = string.Join(", ", parse.UnmatchedTokens.Select(t => $"'{t}'"));
        return $"unrecognized command or argument {words} (see {string.Join(' ', path)} --help)";
    }

    /// <summary>
    /// How every command line is parsed: without response files. System.CommandLine reads a word starting with '@' as
    /// the name of a file whose words replace it, by default; the AWS CLI has no such thing (a parameter reads a file
    /// only when its value says file://, docs.aws.amazon.com/cli/latest/userguide/cli-usage-parameters-file.html), and
    /// none of these commands documents it. With it, <c>--since @1700000000</c> (date(1)'s epoch form) stopped on
    /// "Response file not found" joined with a second, wrong error, and an argument naming an existing file ran the
    /// command on that file's words.
    /// </summary>
    internal static ParserConfiguration ParserConfiguration { get; } = new() { ResponseFileTokenReplacer = null };

    public static async Task<int> RunAsync(string[] args, CliContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var console = new CliConsole(context);
        var root = BuildRoot(context);
        args = EmptyOptionValues.Expand(args, root);
        var parse = root.Parse(args, ParserConfiguration);
        if (parse.Errors.Count > 0)
        {
            console.Error(ParseErrorLine(parse));
            return ExitCodes.Error;
        }

        try
        {
            // Each command holds the context it was built with: under --profile, or once a shared file's path was
            // written back, the commands are built again with the new context and the arguments parsed once more
            // (parsing has no side effect). Only a command that runs resolves a profile (--help and --version read
            // none), and not the demo: it signs with LocalEcr's keys against its own endpoints, so a profile named on
            // the command line or in AWS_PROFILE (one of another machine, say) must not stop it.
            var resolvesProfile = parse.Action is { } action
                && ReferenceEquals(action, parse.CommandResult.Command.Action)
                && parse.CommandResult.Command.Name != DemoCommand.Name;
            if (resolvesProfile)
            {
                context.ApplyLegacySessionToken();
                var resolved = context.WithSharedFilePaths();
                if (parse.GetValue<string?>(ProfileOptionName) is { } profile)
                {
                    resolved = resolved.WithProfile(profile);
                }
                else
                {
                    resolved.CheckActiveProfile();
                }

                resolved.ApplyCaBundle();
                if (!ReferenceEquals(resolved, context))
                {
                    parse = BuildRoot(resolved).Parse(args, ParserConfiguration);
                }
            }

            return await parse.InvokeAsync(
                new InvocationConfiguration
                {
                    Output = context.Out,
                    Error = context.Error,
                    EnableDefaultExceptionHandler = false,

                    // No signal handling of System.CommandLine's own: StopSignals (Program.cs) owns Ctrl+C and SIGTERM,
                    // and a second handler would end the process on a timer before the report. Null is 2.0.0's
                    // default only by accident (dotnet/command-line-api#2739), so it is set, not assumed.
                    ProcessTerminationTimeout = null,
                },
                cancellationToken);
        }
        catch (UsageException e)
        {
            console.Error(e.Message);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            console.Error("cancelled");
            return ExitCodes.Cancelled;
        }
        catch (System.Text.RegularExpressions.RegexMatchTimeoutException e)
        {
            console.Error($"--tag-filter took longer than {e.MatchTimeout.TotalMilliseconds:0} ms on tag {Core.Validation.EcrNames.Quote(e.Input)}; simplify the pattern");
        }
        catch (Exception e)
        {
            // An ECR, engine, SQS, STS or SSM error, a transport failure, a bug: still one line and exit 2, never a stack
            // trace (Format.ErrorLine words each). AWSSDK and EcrClient keep credentials out of their messages, and the
            // console redacts every error line besides.
            console.Error(Format.ErrorLine(e));
        }

        return ExitCodes.Error;
    }
}
