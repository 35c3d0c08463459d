"""Getting data into the canonical model: readers, validation and the one transactional writer."""
