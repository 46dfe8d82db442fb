#ifndef FILE_EXCHANGE_H
#define FILE_EXCHANGE_H

/// Atomically exchanges the directory entries `first` and `second` (both must exist, on one file
/// system): Linux renameat2(RENAME_EXCHANGE), macOS renamex_np(RENAME_SWAP). Returns 0, or -1 with
/// errno set (ENOSYS where the system has no atomic exchange).
int file_exchange(const char *first, const char *second);

#endif
