using System.Globalization;

namespace LocalEcr.Hosting;

/// <summary>Parses <c>--port --host --account --access-key --secret-key --data-dir</c>.</summary>
internal static class CommandLine
{
    public const string Usage = "usage: LocalEcr [--port N] [--host IP] [--account 12DIGITS] [--access-key K] [--secret-key S] [--data-dir PATH]";

    public static bool TryParse(IReadOnlyList<string> args, out LocalEcrOptions options, out string? error)
    {
        options = new LocalEcrOptions();
        error = null;
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            string? value = null;
            var eq = name.IndexOf('=', StringComparison.Ordinal);
            if (name.StartsWith("--", StringComparison.Ordinal) && eq > 0)
            {
                value = name[(eq + 1)..];
                name = name[..eq];
            }
            else if (i + 1 < args.Count)
            {
                value = args[i + 1];
                i++;
            }

            if (value is null)
            {
                error = $"LocalEcr: option '{name}' needs a value. {Usage}";
                return false;
            }

            switch (name)
            {
                case "--port" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port <= 65535:
                    options.Port = port;
                    break;
                case "--port":
                    error = $"LocalEcr: --port must be a number from 0 to 65535, not '{value}'.";
                    return false;
                case "--host":
                    options.Host = value;
                    break;
                case "--account" when value.Length == 12 && value.All(char.IsAsciiDigit):
                    options.AccountId = value;
                    break;
                case "--account":
                    error = "LocalEcr: --account must be 12 digits.";
                    return false;
                case "--access-key" when value.Length > 0:
                    options.AccessKey = value;
                    break;
                case "--secret-key" when value.Length > 0:
                    options.SecretKey = value;
                    break;
                case "--data-dir" when value.Length > 0:
                    options.DataDirectory = value;
                    break;
                default:
                    error = $"LocalEcr: unknown or empty option '{name}'. {Usage}";
                    return false;
            }
        }

        try
        {
            LocalEcrServer.ParseHost(options.Host);
        }
        catch (ArgumentException)
        {
            error = $"LocalEcr: --host must be an IP address or 'localhost', not '{options.Host}'.";
            return false;
        }

        return true;
    }
}
