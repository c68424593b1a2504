using System.Text;
using Dcsd.Rdb.Reading;

namespace Dcsd.Rdb.Census;

/// <summary>Accumulates the census while keys stream by; only the top-N largest keys keep their names.</summary>
internal sealed class CensusBuilder
{
    private readonly Dictionary<int, DbCounts> _databases = [];
    private readonly long[] _typeCounts = new long[32];
    private readonly int _largestCapacity;
    private readonly PriorityQueue<RdbLargestKey, long> _largest = new();
    private readonly long _nowMs;
    private DbCounts? _lastDb;
    private int _lastDbNumber = -1;

    public CensusBuilder(int largestCapacity, long nowMs)
    {
        _largestCapacity = largestCapacity;
        _nowMs = nowMs;
    }

    private sealed class DbCounts
    {
        public long Keys;
        public long Expires;
        public long AlreadyExpired;
        public long Empty;
    }

    public long NowMs => _nowMs;

    /// <summary>Keys up to this serialized size cannot enter the largest-keys list, so they need not be named.</summary>
    public long LargestThreshold =>
        _largestCapacity == 0 ? long.MaxValue
        : _largest.Count < _largestCapacity ? 0
        : _largest.TryPeek(out _, out long smallest) ? smallest : 0;

    /// <summary>Counts a run of plain string keys in one database (from the verification fast path).</summary>
    public void AddShortStrings(int db, long keys, long expires, long expired)
    {
        DbCounts counts = CountsFor(db);
        counts.Keys += keys;
        counts.Expires += expires;
        counts.AlreadyExpired += expired;
        _typeCounts[(int)RdbObjectType.String] += keys;
    }

    private DbCounts CountsFor(int db)
    {
        if (db != _lastDbNumber || _lastDb is null)
        {
            if (!_databases.TryGetValue(db, out _lastDb))
            {
                _lastDb = new DbCounts();
                _databases[db] = _lastDb;
            }

            _lastDbNumber = db;
        }

        return _lastDb;
    }

    // Hot path of every verification: compile optimized at once instead of running tier-0 code through a short CLI run.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void Add(RdbParser parser, long elements, long size)
    {
        int db = parser.Database;
        DbCounts counts = CountsFor(db);
        counts.Keys++;
        if (parser.ExpireAtMs is long expire)
        {
            counts.Expires++;
            if (expire < _nowMs)
            {
                counts.AlreadyExpired++;
            }
        }

        if (elements == 0)
        {
            counts.Empty++;
        }

        _typeCounts[(int)parser.Type]++;
        if (_largestCapacity > 0 && (_largest.Count < _largestCapacity || (_largest.TryPeek(out _, out long smallest) && size > smallest)))
        {
            RdbKind kind = RdbObjectTypes.KindOf(parser.Type);
            var entry = new RdbLargestKey
            {
                Db = db,
                Key = Encoding.UTF8.GetString(parser.Key),
                KeyBase64 = Convert.ToBase64String(parser.Key),
                Type = RdbObjectTypes.KindName(kind),
                Encoding = RdbObjectTypes.EncodingName(parser.Type),
                Size = size,
            };
            if (_largest.Count < _largestCapacity)
            {
                _largest.Enqueue(entry, size);
            }
            else
            {
                _largest.EnqueueDequeue(entry, size);
            }
        }
    }

    public RdbCensus Build(RdbParser parser)
    {
        var types = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var encodings = new SortedDictionary<string, long>(StringComparer.Ordinal);
        long total = 0;
        for (int t = 0; t < _typeCounts.Length; t++)
        {
            if (_typeCounts[t] == 0)
            {
                continue;
            }

            var type = (RdbObjectType)t;
            string kind = RdbObjectTypes.KindName(RdbObjectTypes.KindOf(type));
            types[kind] = types.GetValueOrDefault(kind) + _typeCounts[t];
            string encoding = kind + "/" + RdbObjectTypes.EncodingName(type);
            encodings[encoding] = encodings.GetValueOrDefault(encoding) + _typeCounts[t];
            total += _typeCounts[t];
        }

        var largest = new List<RdbLargestKey>();
        while (_largest.TryDequeue(out RdbLargestKey? key, out _))
        {
            largest.Add(key);
        }

        largest.Reverse();
        var modules = new SortedSet<string>(parser.ModuleTypeNames, StringComparer.Ordinal);
        modules.UnionWith(parser.ModuleAuxNames);
        return new RdbCensus
        {
            RdbVersion = parser.Version,
            Flavor = parser.IsValkey ? "valkey" : "redis",
            RedisVersion = parser.Aux.GetValueOrDefault("redis-ver") ?? parser.Aux.GetValueOrDefault("valkey-ver"),
            Aux = new SortedDictionary<string, string>(parser.Aux, StringComparer.Ordinal),
            Databases = [.. _databases.OrderBy(d => d.Key).Select(d => new RdbDatabaseCensus
            {
                Db = d.Key,
                Keys = d.Value.Keys,
                Expires = d.Value.Expires,
                AlreadyExpired = d.Value.AlreadyExpired,
                EmptyKeys = d.Value.Empty,
            })],
            TotalKeys = total,
            Types = types,
            Encodings = encodings,
            Functions = parser.Functions.Count,
            FunctionLibraries = [.. parser.Functions],
            Modules = [.. modules],
            Largest = largest,
            ChecksumVerified = parser.ChecksumPresent && parser.StoredChecksum != 0,
            Checksum = parser.ChecksumPresent ? parser.StoredChecksum.ToString("x16", System.Globalization.CultureInfo.InvariantCulture) : null,
            Bytes = parser.EndOffset,
            TrailingBytes = parser.TrailingBytes,
        };
    }
}
