import HybridSearch
import GRDB
import Crypto
