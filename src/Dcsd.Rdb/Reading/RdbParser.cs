using System.Text;
using Dcsd.Rdb.Primitives;

namespace Dcsd.Rdb.Reading;

/// <summary>
/// The RDB state machine (§1.7): header, opcodes and per-key attributes. Values are consumed by the caller
/// through <see cref="SkipValue"/> (verification) or the value decoder; the parser only hands out one key at a time.
/// </summary>
internal sealed partial class RdbParser : IDisposable
{
    private const byte OpSlotInfo = 0xF4;
    private const byte OpFunction2 = 0xF5;
    private const byte OpFunctionPreGa = 0xF6;
    private const byte OpModuleAux = 0xF7;
    private const byte OpIdle = 0xF8;
    private const byte OpFreq = 0xF9;
    private const byte OpAux = 0xFA;
    private const byte OpResizeDb = 0xFB;
    private const byte OpExpireTimeMs = 0xFC;
    private const byte OpExpireTime = 0xFD;
    private const byte OpSelectDb = 0xFE;
    private const byte OpEof = 0xFF;
    private const byte OpEnterpriseRamLru = 107;
    private const byte OpEnterpriseSlotNum = 121;

    private readonly ScratchBuffer _keyScratch = new(256);
    private int _keyLength;

    public RdbParser(Stream stream, RdbParserSettings settings, CancellationToken cancellationToken = default)
    {
        Settings = settings;
        Input = new RdbInput(stream, settings.InputBufferSize, cancellationToken);
    }

    public RdbParserSettings Settings { get; }

    public RdbInput Input { get; }

    /// <summary>Scratch space for materialized strings (value elements, blobs).</summary>
    internal ScratchBuffer Scratch { get; } = new(4096);

    internal ScratchBuffer LzfScratch { get; } = new(4096);

    public int Version { get; private set; }

    /// <summary>True for Valkey 9+ files ("VALKEY" magic), where type 22 is Valkey's HASH_2.</summary>
    public bool IsValkey { get; private set; }

    public Dictionary<string, string> Aux { get; } = new(StringComparer.Ordinal);

    public List<string> Functions { get; } = [];

    public List<string> FunctionCodes { get; } = [];

    public List<string> ModuleAuxNames { get; } = [];

    public int Database { get; private set; }

    public bool Finished { get; private set; }

    public ulong StoredChecksum { get; private set; }

    public ulong ComputedChecksum { get; private set; }

    public bool ChecksumPresent { get; private set; }

    public long EndOffset { get; private set; }

    public long TrailingBytes { get; private set; }

    // ---- the current key ----

    public RdbObjectType Type { get; private set; }

    public long KeyOffset { get; private set; }

    public long ValueOffset { get; private set; }

    public long? ExpireAtMs { get; private set; }

    public long? IdleSeconds { get; private set; }

    public int? Frequency { get; private set; }

    public ReadOnlySpan<byte> Key => _keyScratch.Array.AsSpan(0, _keyLength);

    public void ReadHeader()
    {
        ReadOnlySpan<byte> magic = Input.ReadSpan(9);
        if (magic.StartsWith("REDIS"u8))
        {
            Version = ParseDigits(magic[5..]);
        }
        else if (magic.StartsWith("VALKEY"u8))
        {
            IsValkey = true;
            Version = ParseDigits(magic[6..]);
            if (Version != 80)
            {
                throw Input.Error($"unsupported Valkey RDB version {Version} (supported: 80)", 6);
            }

            return;
        }
        else
        {
            throw Input.Error("not an RDB file: it does not start with \"REDIS\"", 0);
        }

        if (Version < 1)
        {
            throw Input.Error($"invalid RDB version {Version}", 5);
        }

        if (Version > RdbParserSettings.NewestSupportedVersion)
        {
            throw Input.Error($"RDB version {Version} is newer than this reader supports (1–{RdbParserSettings.NewestSupportedVersion})", 5);
        }
    }

    private int ParseDigits(ReadOnlySpan<byte> digits)
    {
        int value = 0;
        foreach (byte d in digits)
        {
            if (d is < (byte)'0' or > (byte)'9')
            {
                throw Input.Error("not an RDB file: the version is not numeric", 5);
            }

            value = (value * 10) + (d - '0');
        }

        return value;
    }

    /// <summary>
    /// Processes opcodes up to the next key and reads that key. Returns false after the EOF opcode and the checksum.
    /// </summary>
    // Hot path of every verification: compile optimized at once instead of running tier-0 code through a short CLI run.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public bool NextKey()
    {
        ExpireAtMs = null;
        IdleSeconds = null;
        Frequency = null;
        while (true)
        {
            long opOffset = Input.Offset;
            byte op = Input.ReadByte();
            switch (op)
            {
                case OpExpireTimeMs:
                    ExpireAtMs = Input.ReadInt64LittleEndian();
                    continue;
                case OpExpireTime:
                    ExpireAtMs = Input.ReadInt32LittleEndian() * 1000L;
                    continue;
                case OpSelectDb:
                {
                    ulong db = Input.ReadLength();
                    if (db > int.MaxValue)
                    {
                        throw Input.Error($"database number {db} out of range", opOffset);
                    }

                    Database = (int)db;
                    continue;
                }

                case OpResizeDb:
                    Input.ReadLength();
                    Input.ReadLength();
                    continue;
                case OpAux:
                {
                    string key = ReadText("AUX field name");
                    string value = ReadText("AUX field value");
                    Aux[key] = value;
                    continue;
                }

                case OpIdle:
                {
                    ulong idle = Input.ReadLength();
                    IdleSeconds = idle > long.MaxValue ? long.MaxValue : (long)idle;
                    continue;
                }

                case OpFreq:
                    Frequency = Input.ReadByte();
                    continue;
                case OpSlotInfo:
                    Input.ReadLength();
                    Input.ReadLength();
                    Input.ReadLength();
                    continue;
                case OpFunction2:
                {
                    string code = ReadText("function library");
                    Functions.Add(FunctionLibraryName(code));
                    FunctionCodes.Add(code);
                    continue;
                }

                case OpFunctionPreGa:
                    throw Input.Error("pre-release (7.0-rc1/rc2) function format is not supported", opOffset);
                case OpModuleAux:
                {
                    ulong moduleId = Input.ReadLength();
                    ulong whenOpcode = Input.ReadLength();
                    if (whenOpcode != ModuleOpcodeUInt)
                    {
                        throw Input.Error($"MODULE_AUX 'when' has opcode {whenOpcode}, expected {ModuleOpcodeUInt}", opOffset);
                    }

                    Input.ReadLength();
                    SkipModuleOpcodes();
                    ModuleAuxNames.Add(ModuleId.Name(moduleId));
                    continue;
                }

                case OpEof:
                    FinishFile();
                    return false;
                case OpEnterpriseRamLru or OpEnterpriseSlotNum when Settings.AllowEnterpriseOpcodes:
                    Input.ReadLength();
                    continue;
                default:
                    if (!RdbObjectTypes.IsKnown(op))
                    {
                        throw Input.Error($"unknown opcode or object type {op} (0x{op:X2})", opOffset);
                    }

                    if (op == (byte)RdbObjectType.ModulePreGa)
                    {
                        throw Input.Error("pre-release module value (type 6) cannot be read", opOffset);
                    }

                    Type = (RdbObjectType)op;
                    KeyOffset = opOffset;
                    ReadKey();
                    ValueOffset = Input.Offset;
                    return true;
            }
        }
    }

    // Hot path of every verification: compile optimized at once instead of running tier-0 code through a short CLI run.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private void ReadKey()
    {
        if (Input.TryReadShortRawString(out ReadOnlySpan<byte> shortKey))
        {
            shortKey.CopyTo(_keyScratch.Array);
            _keyLength = shortKey.Length;
            return;
        }

        _keyLength = RdbString.Read(Input, _keyScratch, LzfScratch, Settings.MaxInMemoryBytes, "key").Length;
    }

    private void FinishFile()
    {
        ComputedChecksum = Input.FinishCrc();
        if (Version >= 5 || IsValkey)
        {
            long crcOffset = Input.Offset;
            StoredChecksum = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(Input.ReadSpan(8));
            ChecksumPresent = true;
            if (StoredChecksum != 0 && StoredChecksum != ComputedChecksum)
            {
                throw Input.Error($"checksum mismatch: stored CRC64 {StoredChecksum:x16}, computed {ComputedChecksum:x16}", crcOffset);
            }
        }

        EndOffset = Input.Offset;
        long trailing = 0;
        while (Input.TryEnsureSome())
        {
            trailing += Input.ReadPiece(long.MaxValue).Length;
        }

        TrailingBytes = trailing;
        Finished = true;
    }

    private string ReadText(string what)
    {
        Span<byte> bytes = RdbString.Read(Input, Scratch, LzfScratch, Settings.MaxInMemoryBytes, what);
        return Encoding.UTF8.GetString(bytes);
    }

    private static string FunctionLibraryName(string code)
    {
        // "#!lua name=mylib\n..." names the library in its shebang line.
        int lineEnd = code.IndexOf('\n', StringComparison.Ordinal);
        string shebang = lineEnd < 0 ? code : code[..lineEnd];
        int at = shebang.IndexOf("name=", StringComparison.Ordinal);
        if (at < 0)
        {
            return shebang;
        }

        string rest = shebang[(at + 5)..];
        int space = rest.IndexOf(' ', StringComparison.Ordinal);
        return space < 0 ? rest.TrimEnd('\r') : rest[..space];
    }

    public void Dispose()
    {
        Input.Dispose();
        _keyScratch.Dispose();
        Scratch.Dispose();
        LzfScratch.Dispose();
    }
}
