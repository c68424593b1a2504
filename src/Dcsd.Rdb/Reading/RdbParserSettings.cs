namespace Dcsd.Rdb.Reading;

/// <summary>Limits shared by the verifier and the reader.</summary>
internal sealed record RdbParserSettings
{
    public const int NewestSupportedVersion = 12;

    /// <summary>Largest key, aux value, function, element or encoded blob (ziplist/listpack) held in memory at once.</summary>
    public long MaxInMemoryBytes { get; init; } = 512L << 20;

    /// <summary>Encoded blobs up to this size are decoded and checked element by element during verification.</summary>
    public long MaxBlobValidationBytes { get; init; } = 64L << 20;

    /// <summary>Skip Redis Enterprise opcodes 107 (RAM_LRU) and 121 (SLOT_NUM) instead of failing.</summary>
    public bool AllowEnterpriseOpcodes { get; init; }

    public int InputBufferSize { get; init; } = Primitives.RdbInput.DefaultBufferSize;
}
