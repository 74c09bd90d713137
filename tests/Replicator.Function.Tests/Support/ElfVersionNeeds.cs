using System.Buffers.Binary;
using System.Text;

namespace Replicator.Function.Tests.Support;

/// <summary>
/// Reads the symbol versions an ELF64 little-endian executable needs (its SHT_GNU_verneed section, what
/// `objdump -T` shows as GLIBC_2.xx), without depending on binutils being installed.
/// </summary>
public static class ElfVersionNeeds
{
    private const uint ShtGnuVerneed = 0x6ffffffe;

    public static IReadOnlyList<string> Read(string path)
    {
        var elf = File.ReadAllBytes(path);
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F' || elf[4] != 2 || elf[5] != 1)
        {
            throw new InvalidDataException($"{path} is not a little-endian ELF64 file");
        }

        var sectionHeaders = (int)BinaryPrimitives.ReadUInt64LittleEndian(elf.AsSpan(0x28));
        int headerSize = BinaryPrimitives.ReadUInt16LittleEndian(elf.AsSpan(0x3A));
        int count = BinaryPrimitives.ReadUInt16LittleEndian(elf.AsSpan(0x3C));
        var versions = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var header = elf.AsSpan(sectionHeaders + (i * headerSize));
            if (BinaryPrimitives.ReadUInt32LittleEndian(header[4..]) != ShtGnuVerneed)
            {
                continue;
            }

            var offset = (int)BinaryPrimitives.ReadUInt64LittleEndian(header[24..]);
            var link = (int)BinaryPrimitives.ReadUInt32LittleEndian(header[40..]);
            var entries = (int)BinaryPrimitives.ReadUInt32LittleEndian(header[44..]);
            var strings = (int)BinaryPrimitives.ReadUInt64LittleEndian(elf.AsSpan(sectionHeaders + (link * headerSize) + 24));

            var need = offset;
            for (var n = 0; n < entries; n++)
            {
                int auxCount = BinaryPrimitives.ReadUInt16LittleEndian(elf.AsSpan(need + 2));
                var aux = need + (int)BinaryPrimitives.ReadUInt32LittleEndian(elf.AsSpan(need + 8));
                for (var a = 0; a < auxCount; a++)
                {
                    versions.Add(CString(elf, strings + (int)BinaryPrimitives.ReadUInt32LittleEndian(elf.AsSpan(aux + 8))));
                    aux += (int)BinaryPrimitives.ReadUInt32LittleEndian(elf.AsSpan(aux + 12));
                }

                need += (int)BinaryPrimitives.ReadUInt32LittleEndian(elf.AsSpan(need + 12));
            }
        }

        return versions;
    }

    /// <summary>The highest GLIBC_x.y needed, or null when none.</summary>
    public static Version? MaxGlibc(IEnumerable<string> versions) => versions
        .Where(v => v.StartsWith("GLIBC_", StringComparison.Ordinal) && Version.TryParse(v["GLIBC_".Length..], out _))
        .Select(v => Version.Parse(v["GLIBC_".Length..]))
        .DefaultIfEmpty()
        .Max();

    private static string CString(byte[] data, int start)
    {
        var end = Array.IndexOf(data, (byte)0, start);
        return Encoding.ASCII.GetString(data, start, end - start);
    }
}
