namespace Replicator.Cli.Tests.Support;

/// <summary>A fact that needs POSIX signals and the <c>kill</c> command: skipped on Windows, which has neither.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class UnixFactAttribute : FactAttribute
{
    public UnixFactAttribute()
    {
        if (OperatingSystem.IsWindows())
        {
            Skip = "POSIX signals only";
        }
    }
}
