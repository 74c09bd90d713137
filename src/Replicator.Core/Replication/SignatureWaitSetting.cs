using System.Globalization;
using Replicator.Core.Configuration;
using Replicator.Core.Validation;

namespace Replicator.Core.Replication;

/// <summary>
/// SIGNATURE_WAIT_SECONDS, <see cref="ReplicatorOptions.SignatureWait"/>: read by the function at init, and by the CLI
/// from the function's exported environment, with one rule.
/// </summary>
public static class SignatureWaitSetting
{
    public const string Variable = "SIGNATURE_WAIT_SECONDS";

    /// <summary>The longest wait: five minutes of a function that runs fifteen at most, since a message waits this long before its copy starts.</summary>
    public const int MaxSeconds = 300;

    /// <summary>
    /// Whole seconds from 0 (off) to <see cref="MaxSeconds"/>; unset or blank is 0. Throws <see cref="SettingException"/>
    /// naming the variable for anything else.
    /// </summary>
    public static TimeSpan Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return TimeSpan.Zero;
        }

        if (!int.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds > MaxSeconds)
        {
            throw new SettingException(Variable, $"must be a whole number of seconds from 0 (off) to {MaxSeconds}, not {EcrNames.Quote(value)}");
        }

        return TimeSpan.FromSeconds(seconds);
    }
}
