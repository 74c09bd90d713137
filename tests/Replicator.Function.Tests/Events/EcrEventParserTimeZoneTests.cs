using Replicator.Function.Events;
using E = Replicator.Function.Tests.Support.Events;

namespace Replicator.Function.Tests.Events;

/// <summary>Run alone: its test changes the process's local time zone.</summary>
[CollectionDefinition(nameof(LocalTimeZoneCollection), DisableParallelization = true)]
public sealed class LocalTimeZoneCollection;

/// <summary>
/// An event's <c>time</c> ending in Z is UTC on a machine of any time zone (a developer's, running the function or the
/// CLI's demo), not only where the machine's zone is UTC, as on Lambda, where the other tests run alike. The zone is
/// set through TZ, which .NET reads for <see cref="TimeZoneInfo.Local"/> on Linux and macOS, and restored after.
/// </summary>
[Collection(nameof(LocalTimeZoneCollection))]
public sealed class EcrEventParserTimeZoneTests
{
    [TzFact]
    public void A_time_ending_in_Z_is_read_as_UTC_whatever_the_machines_time_zone()
    {
        var before = Environment.GetEnvironmentVariable("TZ");
        Environment.SetEnvironmentVariable("TZ", "Asia/Kolkata");
        TimeZoneInfo.ClearCachedData();
        try
        {
            Assert.Equal(TimeSpan.FromHours(5.5), TimeZoneInfo.Local.BaseUtcOffset);

            var parsed = EcrEventParser.Parse(E.Body(time: "2025-09-25T12:38:33Z")).Time;

            Assert.Equal("2025-09-25T12:38:33.0000000+00:00", parsed?.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        }
        finally
        {
            Environment.SetEnvironmentVariable("TZ", before);
            TimeZoneInfo.ClearCachedData();
        }
    }

    /// <summary>A fact that sets the local time zone through TZ: skipped on Windows, where TZ sets none.</summary>
    [AttributeUsage(AttributeTargets.Method)]
    private sealed class TzFactAttribute : FactAttribute
    {
        public TzFactAttribute()
        {
            if (OperatingSystem.IsWindows())
            {
                Skip = "TZ sets the local time zone on Linux and macOS only";
            }
        }
    }
}
