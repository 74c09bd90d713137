using System.CommandLine;

namespace Replicator.Cli.Commands;

/// <summary>
/// <c>--option=</c> with nothing after the '=' (a script's <c>--source-region=$REGION</c> with <c>REGION</c> unset) is an
/// empty value, as getopt_long reads it (https://www.gnu.org/software/libc/manual/html_node/Getopt-Long-Options.html)
/// and the AWS CLI's argparse does (<c>aws ... --region=</c> is the region ''). System.CommandLine (2.0, and 3.0 still)
/// drops the empty part and takes the next word as the option's value, even another option:
/// <c>--tag-filter= --dry-run</c> ran a sync that copied, with the tag filter '--dry-run', and
/// <c>--source-region= --destination-region us-west-2</c>
/// reported "unrecognized argument 'us-west-2'", naming the wrong word. Each such word of an option that takes a value
/// is passed on as the option and an empty value, which the commands refuse in their own words ("--tag-filter is
/// empty: give .* for every tag, or leave the option out"). The ':' form System.CommandLine also splits on is read the
/// same way. A flag (<c>--dry-run=</c>) is left as it is, and so is everything after <c>--</c>.
/// </summary>
internal static class EmptyOptionValues
{
    public static string[] Expand(IReadOnlyList<string> args, Command root)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(root);
        var valued = new HashSet<string>(StringComparer.Ordinal);
        Collect(root, valued);
        var expanded = new List<string>(args.Count);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg == "--")
            {
                expanded.AddRange(args.Skip(i));
                break;
            }

            if (arg.Length > 1 && arg[^1] is '=' or ':' && valued.Contains(arg[..^1]))
            {
                expanded.Add(arg[..^1]);
                expanded.Add(string.Empty);
            }
            else
            {
                expanded.Add(arg);
            }
        }

        return [.. expanded];
    }

    private static void Collect(Command command, HashSet<string> names)
    {
        foreach (var option in command.Options.Where(o => o.Arity.MinimumNumberOfValues > 0))
        {
            names.Add(option.Name);
            names.UnionWith(option.Aliases);
        }

        foreach (var subcommand in command.Subcommands)
        {
            Collect(subcommand, names);
        }
    }
}
