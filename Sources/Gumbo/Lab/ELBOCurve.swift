/// One assignment's training run: at each record, the discrete model's
/// ELBO under the guide so far, the training objective and the training
/// time so far.
public struct ELBOCurve: Sendable, Equatable {
    public struct Record: Sendable, Equatable {
        /// Steps taken before the record (0: the starting point).
        public let step: Int
        /// Seconds (by ``LabConfiguration/clock``) spent in training steps so far (evaluation
        /// time excluded), so curves can be drawn over time.
        public let seconds: Double
        /// The true ELBO (hard samples; exact where the evaluation enumerates).
        public let elbo: Double
        /// Its standard error (0 when exact).
        public let elboStandardError: Double
        /// The training objective averaged over the steps since the
        /// previous record: the relaxed surrogate when
        /// ``ELBOCurve/isSurrogate``, else one-sample ELBO estimates. NaN at step 0.
        public let objective: Double
    }

    public let records: [Record]
    /// Whether ``Record/objective`` is a relaxed surrogate.
    public let isSurrogate: Bool
    /// Why the run stopped before its last record (a non-finite loss), if it did.
    public let failure: String?
}
