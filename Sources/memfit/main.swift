import MemfitCore
