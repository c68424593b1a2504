namespace Dcsd.Service.Tests.Http;

/// <summary>
/// The test classes that start whole clusters run one after the other: several clusters syncing at once on a small CI
/// machine make every one of them too slow to come up.
/// </summary>
[CollectionDefinition(Collection)]
public sealed class ClusterTests
{
    public const string Collection = "clusters";
}
