using System.Globalization;

namespace LocalEcr.Hosting;

/// <summary>
/// Parses <c>--port --host --account --access-key --secret-key --data-dir</c>. <c>--account ID:ACCESS_KEY:SECRET_KEY</c>
/// is repeatable (the first is the default account); <c>--account ID</c> names the default account, whose keys are
/// <c>--access-key</c> and <c>--secret-key</c>.
/// </summary>
internal static class CommandLine
{
    public const string Usage = "usage: LocalEcr [--port N] [--host IP] [--account 12DIGITS[:ACCESS_KEY:SECRET_KEY]]... [--access-key K] [--secret-key S] [--data-dir PATH]";

    public static bool TryParse(IReadOnlyList<string> args, out LocalEcrOptions options, out string? error)
    {
        options = new LocalEcrOptions();
        error = null;
        var accounts = 0;
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
                case "--account" when ParseAccount(value) is { } account:
                    if (accounts++ == 0)
                    {
                        options.AccountId = account.AccountId;
                        options.AccessKey = account.AccessKey.Length > 0 ? account.AccessKey : options.AccessKey;
                        options.SecretKey = account.SecretKey.Length > 0 ? account.SecretKey : options.SecretKey;
                    }
                    else if (account.AccessKey.Length == 0)
                    {
                        error = "LocalEcr: a second --account needs its keys: --account ID:ACCESS_KEY:SECRET_KEY.";
                        return false;
                    }
                    else
                    {
                        options.OtherAccounts.Add(account);
                    }

                    break;
                case "--account":
                    error = "LocalEcr: --account must be 12 digits, or ID:ACCESS_KEY:SECRET_KEY.";
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

        var ids = options.OtherAccounts.Select(a => a.AccountId).Append(options.AccountId).ToList();
        var keys = options.OtherAccounts.Select(a => a.AccessKey).Append(options.AccessKey).ToList();
        if (ids.Distinct().Count() != ids.Count || keys.Distinct().Count() != keys.Count)
        {
            error = "LocalEcr: each --account id and access key may appear once.";
            return false;
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

    // ID, or ID:ACCESS_KEY:SECRET_KEY (a secret key has no ':', AWS's are base64 letters and '/', '+').
    private static LocalEcrAccount? ParseAccount(string value)
    {
        var parts = value.Split(':');
        var id = parts[0];
        if (id.Length != 12 || !id.All(char.IsAsciiDigit))
        {
            return null;
        }

        return parts.Length switch
        {
            1 => new LocalEcrAccount(id, string.Empty, string.Empty),
            3 when parts[1].Length > 0 && parts[2].Length > 0 => new LocalEcrAccount(id, parts[1], parts[2]),
            _ => null,
        };
    }
}
