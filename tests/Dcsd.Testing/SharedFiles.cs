namespace Dcsd.Testing;

/// <summary>Locates the repository and the ../shared folder beside it (fixtures are read in place, never copied).</summary>
public static class SharedFiles
{
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string Root { get; } = Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared"));

    public static string RdbFixtures => Path.Combine(Root, "fixtures", "rdb");

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Dcsd.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Dcsd.slnx not found above " + AppContext.BaseDirectory);
    }
}
