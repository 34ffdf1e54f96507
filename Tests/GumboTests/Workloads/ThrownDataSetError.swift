import GumboWorkloads

/// The ``DataSetError``-typed error a closure throws, or `nil`.
func thrownDataSetError<T>(_ body: () throws -> T) -> DataSetError? {
    do {
        _ = try body()
        return nil
    } catch let error as DataSetError {
        return error
    } catch {
        return nil
    }
}
