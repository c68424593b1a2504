using Dcsd.Service.Security;
using System.Globalization;
using Dcsd.Service.Dcs;

namespace Dcsd.Service.Http;

/// <summary>
/// Paging and time filters of the DCS list calls: v2 uses offset (0-based), limit 1–1000, begin_time/end_time;
/// v1.0 uses start (1-based), limit, beginTime/endTime. Times are yyyyMMddHHmmss UTC.
/// </summary>
internal sealed record ListQuery(int Offset, int Limit, DateTimeOffset? Begin, DateTimeOffset? End)
{
    private const int DefaultLimit = 10;
    private const int MaxLimit = 1000;

    public static ListQuery Parse(HttpRequest request)
    {
        var query = request.Query;
        bool v1 = ApiVersions.Of(request) == DcsApiVersion.V1;
        int offset = v1
            ? Integer(query, "start", 1, 1, int.MaxValue) - 1
            : Integer(query, "offset", 0, 0, int.MaxValue);
        int limit = Integer(query, "limit", DefaultLimit, 1, MaxLimit);
        var begin = Time(query, v1 ? "beginTime" : "begin_time");
        var end = Time(query, v1 ? "endTime" : "end_time");
        if (begin is not null && end is not null && end < begin)
        {
            throw new DcsException(DcsErrors.EndBeforeBegin);
        }

        return new ListQuery(offset, limit, begin, end);
    }

    private static int Integer(IQueryCollection query, string name, int fallback, int min, int max)
    {
        if (!query.TryGetValue(name, out var values) || string.IsNullOrEmpty(values.ToString()))
        {
            return fallback;
        }

        return values.Count == 1 && int.TryParse(values[0], NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value >= min && value <= max
            ? value
            : throw new DcsException(DcsErrors.InvalidParameter(name));
    }

    private static DateTimeOffset? Time(IQueryCollection query, string name)
    {
        if (!query.TryGetValue(name, out var values) || string.IsNullOrEmpty(values.ToString()))
        {
            return null;
        }

        return values.Count == 1 && DateTime.TryParseExact(values[0], "yyyyMMddHHmmss", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var time)
            ? new DateTimeOffset(time, TimeSpan.Zero)
            : throw new DcsException(DcsErrors.InvalidParameter(name));
    }
}
