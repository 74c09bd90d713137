namespace Stack.Tests.Support;

/// <summary>
/// A private directory of stand-in programs (uname, dotnet, clang, ...) to put first on a script's PATH, so a test can
/// simulate another host or a missing tool without touching the machine.
/// </summary>
internal sealed class StandInTools : IDisposable
{
    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("replicator-stand-ins-").FullName;

    /// <summary>A uname that answers -s with <paramref name="system"/> and -m with <paramref name="machine"/>.</summary>
    public static string Uname(string system, string machine) =>
        $"""case "$1" in -s) echo {system} ;; -m) echo {machine} ;; *) echo {system} ;; esac""";

    /// <summary>A dotnet that lists one SDK and, for any other command, writes its arguments to <see cref="Recorded"/> and fails.</summary>
    public static string RecordingDotnet(string sdk = "10.0.100") =>
        $$"""[ "$1" = --list-sdks ] && { echo "{{sdk}} [/usr/share/dotnet/sdk]"; exit 0; }; echo "$@" > "${0%/*}/recorded"; exit 1""";

    /// <summary>The arguments the recording dotnet was last given, or null if it was given none but --list-sdks.</summary>
    public string? Recorded => File.Exists(Path.Combine(Directory, "recorded")) ? File.ReadAllText(Path.Combine(Directory, "recorded")) : null;

    /// <summary>Writes an executable sh script named <paramref name="name"/> with <paramref name="body"/>.</summary>
    public void Add(string name, string body)
    {
        var path = Path.Combine(Directory, name);
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
