namespace Dcsd.Rdb;

/// <summary>The census of a backup made of several RDB files (one per cluster shard), as if they were one data set.</summary>
public static class RdbCensusCombiner
{
    /// <summary>
    /// Sums keys, databases, types and encodings; keeps the largest keys over all files; takes the lowest RDB version and
    /// the first file's Redis version and aux fields. Functions are counted once: every master of a cluster holds them all.
    /// </summary>
    public static RdbCensus Combine(IReadOnlyList<RdbCensus> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        if (files.Count == 1)
        {
            return files[0];
        }

        ArgumentOutOfRangeException.ThrowIfZero(files.Count);
        int largestCount = files.Max(file => file.Largest.Count);
        return new RdbCensus
        {
            RdbVersion = files.Min(file => file.RdbVersion),
            Flavor = files[0].Flavor,
            RedisVersion = files[0].RedisVersion,
            Aux = files[0].Aux,
            Databases = files
                .SelectMany(file => file.Databases)
                .GroupBy(db => db.Db)
                .OrderBy(group => group.Key)
                .Select(group => new RdbDatabaseCensus
                {
                    Db = group.Key,
                    Keys = group.Sum(db => db.Keys),
                    Expires = group.Sum(db => db.Expires),
                    AlreadyExpired = group.Sum(db => db.AlreadyExpired),
                    EmptyKeys = group.Sum(db => db.EmptyKeys),
                })
                .ToList(),
            TotalKeys = files.Sum(file => file.TotalKeys),
            Types = Sum(files.Select(file => file.Types)),
            Encodings = Sum(files.Select(file => file.Encodings)),
            Functions = files.Max(file => file.Functions),
            FunctionLibraries = files.SelectMany(file => file.FunctionLibraries).Distinct(StringComparer.Ordinal).ToList(),
            Modules = files.SelectMany(file => file.Modules).Distinct(StringComparer.Ordinal).ToList(),
            Largest = files.SelectMany(file => file.Largest).OrderByDescending(key => key.Size).Take(largestCount).ToList(),
            ChecksumVerified = files.All(file => file.ChecksumVerified),
            Checksum = null,
            Bytes = files.Sum(file => file.Bytes),
            TrailingBytes = files.Sum(file => file.TrailingBytes),
        };
    }

    private static Dictionary<string, long> Sum(IEnumerable<IReadOnlyDictionary<string, long>> counts)
    {
        var sum = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var count in counts)
        {
            foreach (var (name, value) in count)
            {
                sum[name] = sum.GetValueOrDefault(name) + value;
            }
        }

        return sum;
    }
}
