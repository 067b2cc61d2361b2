from . import common
from . import api
from . import webhook
from . import client
